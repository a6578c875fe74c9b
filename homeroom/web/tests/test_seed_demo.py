"""The demo district: what `seed_demo` builds, that it builds the same thing every time, and
that the three demo sign-ins it prints work."""

import re
import time
from io import StringIO

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.urls import reverse

from homeroom.people import demo, demo_plan
from homeroom.people.models import (
    Enrollment,
    Guardian,
    Guardianship,
    Program,
    Role,
    School,
    Section,
    StaffMember,
    Student,
    User,
)
from homeroom.transports import outbound

SIGN_INS = [
    "Demo sign-ins:",
    "  Teacher: teacher@demo.homeroom.example — password homeroom-demo",
    "  Admin, school admin at Riverside Middle School: admin@demo.homeroom.example"
    " — password homeroom-demo",
    "    two-factor secret: HOMEROOMDEMOADMIN2FA234567ABCDEF (add it to an authenticator app)",
    "    or scan: otpauth://totp/admin%40demo.homeroom.example"
    "?secret=HOMEROOMDEMOADMIN2FA234567ABCDEF&issuer=Homeroom",
    "  Guardian (Spanish): sign in with phone +1 612-555-0100"
    " — the code is printed in this console",
]
E164_FICTIONAL = re.compile(r"^\+1\d{3}555\d{4}$")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db) -> str:
    return seed()


def test_seed_builds_riverside_and_prints_the_sign_ins(seeded):
    assert seeded.splitlines()[-len(SIGN_INS) :] == SIGN_INS
    assert "600 students, 900 guardians" in seeded
    schools = School.objects.filter(district__name="Riverside Unified").order_by("pk")
    assert [s.name for s in schools] == ["Riverside Middle School", "Cedar Park Elementary"]
    for school in schools:
        assert (school.time_zone, school.country) == ("America/Chicago", "US")
        assert school.phone and school.email.endswith("@example.org") and school.address
    assert Student.objects.count() == 600
    assert Guardian.objects.count() == 900
    assert 36 <= StaffMember.objects.count() <= 44
    assert StaffMember.objects.filter(is_district_admin=True).count() == 1
    for school in schools:
        roles = set(school.assignments.values_list("role", flat=True))
        assert roles == set(Role.values)


def test_teachers_have_four_to_six_classes_of_a_real_size(seeded):
    loads = StaffMember.objects.filter(teaching__is_primary=True).annotate(n=Count("teaching"))
    assert loads and all(4 <= member.n <= 6 for member in loads)
    teacher = StaffMember.objects.get(email=demo_plan.DEMO_TEACHER_EMAIL)
    classes = Section.objects.filter(teaching__staff=teacher).annotate(n=Count("enrollments"))
    assert len(classes) == 5
    assert all(25 <= section.n <= 30 for section in classes)
    # Every one of her students has a family the school may contact.
    # (Ids first: PostgreSQL plans the one-query form badly on freshly loaded tables.)
    students = set(
        Student.objects.filter(sections__in=[c.pk for c in classes]).values_list("pk", flat=True)
    )
    reachable = set(
        Guardianship.objects.filter(student__in=students, may_contact=True).values_list(
            "student", flat=True
        )
    )
    assert students and reachable == students


def test_families_speak_six_languages_in_realistic_shares(seeded):
    shares = {
        row["language"]: row["n"] / 900
        for row in Guardian.objects.values("language").annotate(n=Count("pk"))
    }
    assert {"en", "es", "vi", "ar", "so", "ht"} <= set(shares)
    assert 0.40 < shares["en"] < 0.65
    assert 0.15 < shares["es"] < 0.35
    assert all(0.01 < shares[code] < 0.10 for code in ("vi", "ar", "so", "ht"))
    # Names fit the language: Vietnamese families carry Vietnamese family names.
    vietnamese = set(Guardian.objects.filter(language="vi").values_list("family_name", flat=True))
    assert vietnamese <= set(demo.LANGUAGE_BY_CODE["vi"].family_names)


def test_households_restrictions_joined_and_contacts_are_mixed(seeded):
    split = Guardianship.objects.filter(lives_with=False).exclude(household="")
    assert split.count() >= 20
    # A split family: two guardians of one child, labelled with different households.
    link = split.first()
    homes = set(link.student.guardianships.values_list("household", flat=True))
    assert len(homes) >= 2
    restricted = Guardianship.objects.filter(may_contact=False, may_see_records=False)
    assert 1 <= restricted.count() <= 20
    joined = Guardian.objects.filter(joined_at__isnull=False)
    assert 300 < joined.count() < 800
    assert not joined.filter(user__isnull=True).exists()
    assert not Guardian.objects.filter(joined_at__isnull=True, user__isnull=False).exists()
    users = User.objects.filter(guardian__isnull=False)
    assert not users.filter(email__isnull=True, phone__isnull=True).exists()
    phones = Guardian.objects.exclude(phone="").values_list("phone", flat=True)
    assert all(E164_FICTIONAL.match(str(phone)) for phone in phones)
    emails = Guardian.objects.exclude(email="").values_list("email", flat=True)
    assert all(e.endswith(("@example.org", "@example.com")) for e in emails)
    assert Guardian.objects.filter(email="").exists()  # not every family has email
    programs = dict(Program.objects.annotate(n=Count("students")).values_list("code", "n"))
    assert set(programs) == {"EL", "IEP", "504"} and all(programs.values())


def test_the_same_seed_builds_the_same_district(seeded):
    def fingerprint():
        return (
            list(
                Guardian.objects.order_by("sourced_id").values_list(
                    "sourced_id", "given_name", "family_name", "language", "channel", "phone",
                    "email", "joined_at",
                )
            ),
            list(
                Guardianship.objects.order_by("guardian__sourced_id", "student__sourced_id")
                .values_list(
                    "guardian__sourced_id", "student__sourced_id", "household", "may_contact"
                )
            ),
            list(
                Enrollment.objects.order_by("sourced_id").values_list(
                    "section__title", "student__sourced_id"
                )
            ),
        )  # fmt: skip

    first = fingerprint()
    out = seed("--reset")
    assert "Removing the demo district" in out
    assert fingerprint() == first
    assert Student.objects.count() == 600  # the old district is gone, not doubled


def test_if_empty_skips_an_existing_district_and_still_prints_the_sign_ins(seeded):
    before = Guardian.objects.count()
    out = seed("--if-empty")
    assert "loaded already" in out
    assert out.splitlines()[-len(SIGN_INS) :] == SIGN_INS
    assert Guardian.objects.count() == before
    with pytest.raises(CommandError, match="--reset"):
        seed()


def test_if_empty_leaves_a_database_with_other_data_alone(world):
    out = seed("--if-empty")
    assert "not loaded" in out
    assert not School.objects.filter(name="Riverside Middle School").exists()


# ---- the printed sign-ins work -----------------------------------------------------------


def test_demo_teacher_signs_in_and_sees_her_classes(client, seeded):
    response = client.post(
        reverse("account_login"),
        {"login": demo_plan.DEMO_TEACHER_EMAIL, "password": demo_plan.DEMO_PASSWORD},
    )
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert body.count('class="card"') == 5
    assert "Math 6 (A)" in body
    sofia = Student.objects.get(given_name="Sofía", family_name="Martínez")
    section = sofia.enrollments.get(section__title="Math 6 (A)").section
    roster = reverse("staff_home_roster", args=[section.pk])
    assert "Sofía Martínez" in client.get(roster, HTTP_HX_REQUEST="true").content.decode()


def test_demo_admin_signs_in_with_the_printed_totp_secret(client, seeded):
    response = client.post(
        reverse("account_login"),
        {"login": demo_plan.DEMO_ADMIN_EMAIL, "password": demo_plan.DEMO_PASSWORD},
    )
    assert response["Location"] == reverse("mfa_authenticate")
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    code = format_hotp_value(hotp_value(demo_plan.DEMO_TOTP_SECRET, counter))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    body = client.get(reverse("home")).content.decode()
    assert "Riverside Middle School" in body
    assert "riverside-oneroster-2026-08-17.zip" in body


def test_demo_guardian_signs_in_by_code_and_sees_two_children(client, seeded):
    client.post(reverse("account_request_login_code"), {"phone": "+1 612-555-0100"})
    sms = [m for m in outbound.outbox if m.kind == "login_code"]
    assert [m.to for m in sms] == [demo_plan.DEMO_GUARDIAN_PHONE]
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", sms[0].body).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    rosa = Guardian.objects.get(phone=demo_plan.DEMO_GUARDIAN_PHONE)
    assert rosa.language == "es" and rosa.has_joined
    home = client.get(reverse("home")).content.decode()
    assert "Sofía" in home and "Mateo" in home
    body = client.get(reverse("family_school")).content.decode()
    assert "Sofía Martínez" in body and "Mateo Martínez" in body
    assert "Riverside Middle School" in body and "Cedar Park Elementary" in body
    assert "Elena Rivera" in body
    # Her children's other parent keeps another household and is on file too.
    other = Guardianship.objects.filter(
        ~Q(guardian=rosa), student__guardianships__guardian=rosa
    ).first()
    assert other is not None and not other.lives_with


def test_the_demo_family_meets_a_living_home_once(client, seeded):
    out = StringIO()
    call_command("seed_demo_activity", stdout=out)
    assert "Added" in out.getvalue()
    rosa = Guardian.objects.get(phone=demo_plan.DEMO_GUARDIAN_PHONE)
    client.force_login(rosa.user)
    home = client.get(reverse("home")).content.decode()
    assert home.count('class="stream-item is-moment') == 2  # good news about each child
    assert 'class="stream-item is-message unread' in home  # Elena Rivera's message waits
    again = StringIO()
    call_command("seed_demo_activity", stdout=again)
    assert again.getvalue() == ""
    assert client.get(reverse("home")).content.decode().count("is-moment") == 2


def test_a_demo_with_school_life_can_still_be_removed(seeded):
    from django.db.models import RestrictedError

    from homeroom.behavior.models import Category, Moment

    call_command("seed_demo_activity", stdout=StringIO())
    used = Moment.objects.select_related("category").first().category
    with pytest.raises(RestrictedError):  # a category with history is never deleted alone
        used.delete()
    demo.remove_district(demo.demo_district())
    assert not Moment.objects.exists() and not Category.objects.exists()
