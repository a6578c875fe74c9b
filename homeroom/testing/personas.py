"""The people every test meets. Two schools in one district, a second district outside it.

North school
  Ms Rivera   teacher of "Math 6" and "Art 6"
  Mr Chen     teacher of "Science 6"
  Ms Liaison  family liaison; Mr Counselor; Ms Interpreter; Ms Principal (school admin)
  Ana         in Math 6. Guardians: Rosa (mother, Spanish, household A) and
              Marco (father, English, household B) — a split household
  Cal         in Math 6 and Art 6. Guardians: Gina (mother, Vietnamese) and
              Ray (father, court order: may not contact, may not see records)
  Ben         in Science 6. Guardian: Pat (Somali, not joined yet)
  Eve         inactive student, was in Math 6. Guardian: Eli
South school
  Mr South    teacher of "English 9"; Ms SouthAdmin (school admin)
  Dee         in English 9. Guardian: Olga (Arabic) — the outsider family for North staff
District: Dr District (district admin). Other district: Mr Elsewhere (district admin), Zed.
"""

import time as time_module
from dataclasses import dataclass
from datetime import time

import pytest

from homeroom.people.models import (
    Assignment,
    District,
    Enrollment,
    Guardian,
    Guardianship,
    Role,
    School,
    Section,
    StaffMember,
    Student,
    TeachingAssignment,
    User,
)

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    district: District
    north: School
    south: School
    math: Section
    art: Section
    science: Section
    english: Section
    other_section: Section
    rivera: StaffMember
    chen: StaffMember
    liaison: StaffMember
    counselor: StaffMember
    interpreter: StaffMember
    principal: StaffMember
    south_teacher: StaffMember
    south_admin: StaffMember
    district_admin: StaffMember
    elsewhere_admin: StaffMember
    ana: Student
    cal: Student
    ben: Student
    eve: Student
    dee: Student
    zed: Student
    rosa: Guardian
    marco: Guardian
    gina: Guardian
    ray: Guardian
    pat: Guardian
    eli: Guardian
    olga: Guardian
    zed_parent: Guardian


def make_staff(district, given, family, *roles_at, district_admin=False):
    user = User.objects.create_user(f"{given}.{family}@example.org".lower(), PASSWORD)
    staff = StaffMember.objects.create(
        user=user,
        district=district,
        given_name=given,
        family_name=family,
        email=user.email,
        is_district_admin=district_admin,
    )
    for school, role in roles_at:
        Assignment.objects.create(staff=staff, school=school, role=role)
    return staff


def make_guardian(district, given, family, language="en", phone="", joined=True, **extra):
    email = f"{given}.{family}@family.example".lower()
    user = None
    if joined:
        user = User.objects.create_user(email, None, phone=phone or None)
    return Guardian.objects.create(
        user=user,
        district=district,
        given_name=given,
        family_name=family,
        language=language,
        phone=phone,
        email=email,
        joined_at="2026-09-01T12:00:00Z" if joined else None,
        quiet_start=time(20, 0),
        quiet_end=time(7, 0),
        **extra,
    )


def link(guardian, student, **kw):
    return Guardianship.objects.create(guardian=guardian, student=student, **kw)


def enrol(section, *students, active=True):
    for student in students:
        Enrollment.objects.create(section=section, student=student, is_active=active)


def teach(section, staff):
    TeachingAssignment.objects.create(section=section, staff=staff)


# The staff of `build_world`, by their attribute names: two schools of one district and an
# admin of another district.
STAFF_PERSONAS = [
    "rivera",
    "chen",
    "liaison",
    "counselor",
    "interpreter",
    "principal",
    "south_teacher",
    "south_admin",
    "district_admin",
    "elsewhere_admin",
]
# Its guardians with an account (Pat has not joined; Zoe is of the other district).
FAMILY_PERSONAS = ["rosa", "marco", "gina", "ray", "eli", "olga"]


def build_world() -> World:
    district = District.objects.create(name="Riverside Unified")
    north = School.objects.create(
        district=district, name="North Elementary", phone="+16125550100", email="north@example.org"
    )
    south = School.objects.create(district=district, name="South High")
    elsewhere = District.objects.create(name="Elsewhere District")
    far = School.objects.create(district=elsewhere, name="Far School")

    rivera = make_staff(district, "Maria", "Rivera", (north, Role.TEACHER))
    chen = make_staff(district, "Wei", "Chen", (north, Role.TEACHER))
    liaison = make_staff(district, "Lia", "Liaison", (north, Role.FAMILY_LIAISON))
    counselor = make_staff(district, "Carl", "Counselor", (north, Role.COUNSELOR))
    interpreter = make_staff(district, "Ines", "Interpreter", (north, Role.INTERPRETER))
    principal = make_staff(district, "Paula", "Principal", (north, Role.SCHOOL_ADMIN))
    south_teacher = make_staff(district, "Sam", "South", (south, Role.TEACHER))
    south_admin = make_staff(district, "Sara", "Southadmin", (south, Role.SCHOOL_ADMIN))
    district_admin = make_staff(district, "Dana", "District", district_admin=True)
    elsewhere_admin = make_staff(elsewhere, "Ed", "Elsewhere", district_admin=True)

    math = Section.objects.create(school=north, title="Math 6", period="1")
    art = Section.objects.create(school=north, title="Art 6", period="2")
    science = Section.objects.create(school=north, title="Science 6", period="3")
    english = Section.objects.create(school=south, title="English 9", period="1")
    other_section = Section.objects.create(school=far, title="Far Class")
    teach(math, rivera)
    teach(art, rivera)
    teach(science, chen)
    teach(english, south_teacher)

    ana = Student.objects.create(school=north, given_name="Ana", family_name="Lopez", grade="6")
    cal = Student.objects.create(school=north, given_name="Cal", family_name="Nguyen", grade="6")
    ben = Student.objects.create(school=north, given_name="Ben", family_name="Ali", grade="6")
    eve = Student.objects.create(
        school=north, given_name="Eve", family_name="Gone", grade="6", is_active=False
    )
    dee = Student.objects.create(school=south, given_name="Dee", family_name="Haddad", grade="9")
    zed = Student.objects.create(school=far, given_name="Zed", family_name="Far", grade="1")
    enrol(math, ana, cal, eve)
    enrol(art, cal)
    enrol(science, ben)
    enrol(english, dee)
    enrol(other_section, zed)

    rosa = make_guardian(district, "Rosa", "Lopez", "es", "+16125550111", channel="sms")
    marco = make_guardian(district, "Marco", "Lopez", "en", "+16125550112", channel="email")
    gina = make_guardian(district, "Gina", "Nguyen", "vi", "+16125550113")
    ray = make_guardian(district, "Ray", "Nguyen", "en", "+16125550114")
    pat = make_guardian(district, "Pat", "Ali", "so", "+16125550115", joined=False)
    eli = make_guardian(district, "Eli", "Gone", "en", "+16125550116")
    olga = make_guardian(district, "Olga", "Haddad", "ar", "+16125550117")
    zed_parent = make_guardian(elsewhere, "Zoe", "Far", "en", "+16125550118")
    link(rosa, ana, household="Lopez — Main St", is_primary=True)
    link(marco, ana, household="Lopez — Oak Ave", lives_with=False)
    link(gina, cal, is_primary=True)
    link(ray, cal, may_contact=False, may_see_records=False, lives_with=False)
    link(pat, ben, relationship="guardian")
    link(eli, eve)
    link(olga, dee)
    link(zed_parent, zed)

    return World(
        district=district,
        north=north,
        south=south,
        math=math,
        art=art,
        science=science,
        english=english,
        other_section=other_section,
        rivera=rivera,
        chen=chen,
        liaison=liaison,
        counselor=counselor,
        interpreter=interpreter,
        principal=principal,
        south_teacher=south_teacher,
        south_admin=south_admin,
        district_admin=district_admin,
        elsewhere_admin=elsewhere_admin,
        ana=ana,
        cal=cal,
        ben=ben,
        eve=eve,
        dee=dee,
        zed=zed,
        rosa=rosa,
        marco=marco,
        gina=gina,
        ray=ray,
        pat=pat,
        eli=eli,
        olga=olga,
        zed_parent=zed_parent,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def give_totp(user):
    """Admins must have TOTP; tests that are not about MFA give it to them up front."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
    )


TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # the one give_totp stores


def totp_now(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app shows now. A code read in the last seconds of its window
    could expire before it is submitted, so wait for the next window, as a person would."""
    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    period = mfa_settings.TOTP_PERIOD
    left = period - time_module.time() % period
    if left < 3:
        time_module.sleep(left + 0.1)
    return format_hotp_value(hotp_value(secret, int(time_module.time()) // period))


def sign_in_with_totp(client, user):
    """The whole staff sign-in, password then TOTP code, as the login page asks for it."""
    from django.urls import reverse

    give_totp(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    done = client.post(reverse("mfa_authenticate"), {"code": totp_now()})
    assert done.status_code == 302, done.content.decode()
    assert client.session.get("_auth_user_id") == str(user.pk)
    return client


@pytest.fixture
def login(client):
    """Sign a persona in (staff, guardian, or anyone with a user)."""

    def _login(person):
        user = person.user
        if hasattr(person, "assignments") and (
            person.is_district_admin or person.assignments.filter(role=Role.SCHOOL_ADMIN).exists()
        ):
            give_totp(user)
        client.force_login(user)
        return client

    return _login
