"""Role home pages at one scale: server time and queries per page, each beside the
signed-in floor and a trivial view.

Each page is requested through Django's test client, in this process, against the scale's
database: a few warm-up requests, then N timed ones (wall time around `client.get`, which
covers middleware, view, queries and template rendering), then one more with the queries
captured.

Every timed page request is followed by one request for the **signed-in floor** of the same
person, their "My account" page: the full layout (session, user, roles, time zone, the
navigation with the unread-messages badge, the language switch) around a few lines about
the account, the cheapest page a signed-in person really uses. Then come a few requests
for `/healthz` (no database, no template). Page, floor and trivial view so meet the same
state of the machine, and each page is reported as a multiple of both. Other benchmarks do
the same through `measure` (with `floor=`) or `measure_against_floor`.

    python -m bench.pages demo bench/.data/demo-pages.json
"""

import gc
import json
import statistics
import sys
import time
from pathlib import Path

from bench.generate import configure, ensure, plan_for

REQUESTS = {"demo": 60, "district": 30}
# Trivial requests timed after each page request: both see the same state of the machine.
TRIVIAL_PER_PAGE = 5
WARM_UP = 5
# What a section opened on the teacher home sends: htmx's request header.
HTMX = {"HX-Request": "true"}


def _percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, round(share * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise(wall: list[float], cpu: list[float]) -> dict:
    wall = sorted(wall)
    return {
        "requests": len(wall),
        "p50_ms": round(statistics.median(wall), 2),
        "p95_ms": round(_percentile(wall, 0.95), 2),
        "min_ms": round(wall[0], 2),
        "max_ms": round(wall[-1], 2),
        # CPU time of this process (SQLite runs in it): steadier than wall time on a busy box.
        "cpu_p50_ms": round(statistics.median(cpu), 2),
    }


def _timed(client, url: str, wall: list[float], cpu: list[float], headers=None):
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get(url, headers=headers)
    wall.append((time.perf_counter() - started) * 1000)
    cpu.append((time.process_time() - started_cpu) * 1000)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    return response


def floor_url(user=None) -> str:
    """The signed-in floor: "My account", the same page for staff and families (who is
    signed in, with what, and links to the password, two-step sign-in and settings)."""
    from django.urls import reverse

    return reverse("my_account")


def floor_ms(client, url: str, requests: int = 30) -> dict:
    """The signed-in floor alone (warmed up, then timed), for a benchmark that needs only
    the yardstick."""
    for _ in range(WARM_UP):
        _timed(client, url, [], [])
    gc.collect()
    wall, cpu = [], []
    for _ in range(requests):
        _timed(client, url, wall, cpu)
    return summarise(wall, cpu)


def _ratio(page: float, base: float) -> float:
    return round(page / base, 1) if base else 0.0


def measure(
    client,
    url: str,
    requests: int,
    trivial: tuple[list, list],
    *,
    floor: str | None = None,
    floors: tuple[list, list] | None = None,
    headers: dict | None = None,
) -> dict:
    """Time a page, each request followed by a few trivial ones (added to `trivial`) and,
    given `floor` (a URL the same client may open), one request for the signed-in floor
    (added to `floors` when given): the page is then reported as a multiple of both."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous = Client()
    for _ in range(WARM_UP):
        _timed(client, url, [], [], headers)
        if floor:
            _timed(client, floor, [], [])
        _timed(anonymous, "/healthz", [], [])
    gc.collect()
    wall, cpu = [], []
    trivial_wall, trivial_cpu = [], []
    floor_wall, floor_cpu = [], []
    for _ in range(requests):
        _timed(client, url, wall, cpu, headers)
        if floor:
            _timed(client, floor, floor_wall, floor_cpu)
        for _ in range(TRIVIAL_PER_PAGE):
            _timed(anonymous, "/healthz", trivial_wall, trivial_cpu)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    result = summarise(wall, cpu)
    beside = summarise(trivial_wall, trivial_cpu)
    result.update(
        queries=len(queries.captured_queries),
        bytes=len(response.content),
        trivial_p50_ms=beside["p50_ms"],
        ratio_p50=_ratio(result["p50_ms"], beside["p50_ms"]),
        ratio_p95=_ratio(result["p95_ms"], beside["p95_ms"]),
    )
    if floor:
        base = summarise(floor_wall, floor_cpu)
        result.update(
            floor=floor,
            floor_p50_ms=base["p50_ms"],
            floor_cpu_p50_ms=base["cpu_p50_ms"],
            floor_ratio_p50=_ratio(result["p50_ms"], base["p50_ms"]),
            floor_ratio_cpu_p50=_ratio(result["cpu_p50_ms"], base["cpu_p50_ms"]),
        )
        if floors is not None:
            floors[0].extend(floor_wall)
            floors[1].extend(floor_cpu)
    trivial[0].extend(trivial_wall)
    trivial[1].extend(trivial_cpu)
    return result


def measure_against_floor(
    client, user, url: str, requests: int, trivial: tuple[list, list] | None = None, **kwargs
) -> dict:
    """`measure`, beside the signed-in floor of `user` (the person `client` is signed in as)."""
    trivial = trivial if trivial is not None else ([], [])
    return measure(client, url, requests, trivial, floor=floor_url(user), **kwargs)


def personas(scale: str) -> dict:
    """Who signs in at this scale: a teacher with five classes, the first school's admin,
    the district admin, and a joined guardian with the most children."""
    from django.db.models import Count, Q

    from homeroom.people import demo_plan
    from homeroom.people.models import Guardian, Role, School, StaffMember

    plan = plan_for(scale)
    district = {"district__sourced_id": plan.sourced_id}
    first_school = School.objects.get(sourced_id=f"{plan.key}-sch-1")
    if plan.demo_accounts:
        teacher = StaffMember.objects.get(email=demo_plan.DEMO_TEACHER_EMAIL)
        school_admin = StaffMember.objects.get(email=demo_plan.DEMO_ADMIN_EMAIL)
        guardian = Guardian.objects.get(phone=demo_plan.DEMO_GUARDIAN_PHONE, **district)
    else:
        teacher = (
            StaffMember.objects.filter(
                assignments__school=first_school, assignments__role=Role.TEACHER
            )
            .annotate(classes=Count("teaching", filter=Q(teaching__is_primary=True)))
            .filter(classes=5)
            .order_by("pk")
            .first()
        )
        school_admin = StaffMember.objects.filter(
            assignments__school=first_school, assignments__role=Role.SCHOOL_ADMIN
        ).first()
        guardian = (
            Guardian.objects.filter(joined_at__isnull=False, **district)
            .annotate(children=Count("guardianships"))
            .order_by("-children", "pk")
            .first()
        )
    district_admin = StaffMember.objects.get(is_district_admin=True, **district)
    return {
        "teacher": teacher,
        "school_admin": school_admin,
        "district_admin": district_admin,
        "guardian": guardian,
    }


def _with_totp(user) -> None:
    """Admins need TOTP before the middleware lets them in."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    from homeroom.people.demo_plan import DEMO_TOTP_SECRET

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def describe(role: str, person) -> dict:
    """What the page lists for this person, so the timings can be read against it."""
    from django.db.models import Count

    from homeroom.people.models import Guardianship, School, Section

    if role == "teacher":
        sections = Section.objects.filter(teaching__staff=person, teaching__is_active=True)
        rows = sections.aggregate(n=Count("enrollments"))["n"]
        return {"sections": sections.count(), "students": rows}
    if role == "guardian":
        return {"children": person.guardianships.count()}
    if person.is_district_admin:
        schools = School.objects.filter(district_id=person.district_id)
    else:
        schools = School.objects.filter(assignments__staff=person).distinct()
    families = Guardianship.objects.filter(student__school__in=schools)
    return {
        "schools": schools.count(),
        "guardians": families.values("guardian").distinct().count(),
    }


def teacher_pages(person) -> dict:
    """The teacher's other everyday pages of this benchmark: one of her sections opened on
    her home (the fragment htmx fetches), and the page where she records moments for it."""
    from django.urls import reverse

    from homeroom.people import access

    section = access.sections_taught_by(person).order_by("school__name", "period", "title")[0]
    return {
        "teacher_section_roster": (
            reverse("staff_home_roster", args=[section.pk]),
            HTMX,
            {
                "students": section.enrollments.filter(
                    is_active=True, student__is_active=True
                ).count()
            },
        ),
        "teacher_section_record": (
            reverse("behavior:section_record", args=[section.pk]),
            None,
            {
                "students": section.enrollments.filter(
                    is_active=True, student__is_active=True
                ).count()
            },
        ),
    }


# What the guardian's home holds in this benchmark: per child, this many moments and as
# many school messages over the last weeks (the home shows one page of 20 and what waits).
STREAM_ITEMS_PER_CHILD = 200


def fill_family_stream(guardian) -> int:
    """Give the guardian's children moments and messages from their teachers (once: a
    database that has them already is left as it is). Returns the items per child."""
    from datetime import timedelta

    from django.utils import timezone

    from homeroom.behavior import recording
    from homeroom.behavior.models import Moment
    from homeroom.messaging import services
    from homeroom.messaging.models import Message
    from homeroom.people import access
    from homeroom.people.models import TeachingAssignment

    children = [link.student for link in access.own_children_links(guardian.user)]
    if Moment.objects.filter(student__in=children).exists():
        return STREAM_ITEMS_PER_CHILD
    now = timezone.now()
    moments, messages = [], []
    for child in children:
        teaching = (
            TeachingAssignment.objects.filter(
                is_active=True, section__enrollments__student=child, section__is_active=True
            )
            .select_related("staff")
            .first()
        )
        if teaching is None:
            continue
        teacher = teaching.staff
        categories = recording.ensure_default_categories(child.school)
        conversation = services.start_conversation(
            student=child, by_staff=teacher, text="Welcome to our class."
        )
        for n in range(STREAM_ITEMS_PER_CHILD):
            at = now - timedelta(hours=3 * n + 1)
            category = categories[n % len(categories)]
            moments.append(
                Moment(
                    student=child,
                    school=child.school,
                    category=category,
                    recorded_by=teacher,
                    note=f"Worked well with a partner ({n}).",
                    positive=category.is_positive,
                    points=category.points,
                    created_at=at,
                )
            )
            messages.append(
                Message(
                    conversation=conversation,
                    author_staff=teacher,
                    body=f"A note about today's class ({n}).",
                    language="en",
                    created_at=at,
                )
            )
    Moment.objects.bulk_create(moments, batch_size=500)
    Message.objects.bulk_create(messages, batch_size=500)
    return STREAM_ITEMS_PER_CHILD


def run(scale: str) -> dict:
    from django import db
    from django.conf import settings
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    data = ensure(scale)
    people = personas(scale)
    # The admin homes read the insights roll-up, as they do once the scheduler has run.
    from datetime import timedelta

    from django.utils import timezone

    from homeroom.insights import facts

    facts.roll_up(people["district_admin"].district, timezone.localdate() - timedelta(days=1))
    results = {
        "scale": scale,
        "database": db.connection.vendor,
        "data": _sizes(scale),
        "generation": data,
        "floors": {},
        "pages": {},
    }
    trivial: tuple[list, list] = ([], [])
    for role, person in people.items():
        if role.endswith("admin"):
            _with_totp(person.user)
        client = Client()
        client.force_login(person.user)
        floor = floor_url(person.user)
        floors: tuple[list, list] = ([], [])
        wanted = {role: ("/", None, describe(role, person))}
        if role == "teacher":
            wanted.update(teacher_pages(person))
        if role == "guardian":
            wanted[role][2]["items_per_child"] = fill_family_stream(person)
        for name, (url, headers, lists) in wanted.items():
            page = measure(
                client,
                url,
                REQUESTS[scale],
                trivial,
                floor=floor,
                floors=floors,
                headers=headers,
            )
            page["url"] = url
            page["lists"] = lists
            results["pages"][name] = page
            print(
                f"  {scale} {name}: p50 {page['p50_ms']} ms ({page['floor_ratio_p50']}× floor, "
                f"CPU {page['floor_ratio_cpu_p50']}×), {page['queries']} queries",
                flush=True,
            )
        with CaptureQueriesContext(db.connection) as queries:
            client.get(floor)
        results["floors"][role] = {
            "url": floor,
            **summarise(*floors),
            "queries": len(queries.captured_queries),
        }
    with CaptureQueriesContext(db.connection) as queries:
        Client().get("/healthz")
    healthz = {**summarise(*trivial), "queries": len(queries.captured_queries)}
    results["pages"] = {"healthz": healthz, **results["pages"]}
    results["debug"] = settings.DEBUG
    return results


def _sizes(scale: str) -> dict:
    from homeroom.people.models import (
        Enrollment,
        Guardian,
        Guardianship,
        School,
        Section,
        StaffMember,
        Student,
    )

    district = plan_for(scale).sourced_id
    return {
        "schools": School.objects.filter(district__sourced_id=district).count(),
        "staff": StaffMember.objects.filter(district__sourced_id=district).count(),
        "students": Student.objects.filter(school__district__sourced_id=district).count(),
        "guardians": Guardian.objects.filter(district__sourced_id=district).count(),
        "sections": Section.objects.filter(school__district__sourced_id=district).count(),
        "enrollments": Enrollment.objects.filter(
            section__school__district__sourced_id=district
        ).count(),
        "guardianships": Guardianship.objects.filter(
            guardian__district__sourced_id=district
        ).count(),
    }


def main(argv: list[str]) -> None:
    scale, out = argv
    configure(scale)
    import django

    django.setup()
    Path(out).write_text(json.dumps(run(scale), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
