"""The demo district, and the builder behind it.

`manage.py seed_demo` builds Riverside Unified (two schools, 600 students, 900 guardians);
the benchmark generator builds a whole district with the same code and a bigger plan.
Everything is drawn from one seeded random generator, so a plan always builds the same data.
Rows are written with `bulk_create` in batches: the demo takes seconds, not minutes.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import time, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, make_password
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from .demo_names import (
    CHILDREN_WEIGHTS,
    HOME_LANGUAGES,
    LANGUAGE_BY_CODE,
    PROGRAMS,
    STAFF_LANGUAGE_WEIGHTS,
    STREETS,
)
from .demo_plan import (
    CLASS_SIZE,
    DEMO_ADMIN_EMAIL,
    DEMO_DISTRICT_SOURCED_ID,
    DEMO_PASSWORD,
    DEMO_TEACHER_EMAIL,
    DEMO_TOTP_SECRET,
    GRADES,
    SCHOOL_WIDE,
    SUBJECTS,
    TERM,
    YEAR_START,
    Built,
    DistrictPlan,
    Seat,
    _Emails,
    _Family,
    _grade_sizes,
    _phone,
    _school_phone,
    _StaffPlan,
    _weighted,
    demo_plan,
)
from .models import (
    Assignment,
    Channel,
    District,
    Enrollment,
    Guardian,
    Guardianship,
    Program,
    Relationship,
    Role,
    RosterImport,
    School,
    Section,
    StaffMember,
    Student,
    TeachingAssignment,
    User,
)


def build_district(
    plan: DistrictPlan,
    *,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> Built:
    """Build a whole district from a plan, in one transaction."""
    with transaction.atomic():
        return _Builder(plan, batch_size, progress or (lambda message: None)).run()


class _Builder:
    def __init__(self, plan: DistrictPlan, batch_size: int, say: Callable[[str], None]):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.batch = batch_size
        self.say = say
        self.emails = _Emails()
        # One hash for every staff sign-in (a fixed salt keeps the data identical run to run).
        self.password = make_password(DEMO_PASSWORD, salt="homeroomdemo")
        self.no_password = UNUSABLE_PASSWORD_PREFIX + "family-signs-in-by-code"
        self.guardian_count = 0

    def bulk(self, model, rows):
        return model.objects.bulk_create(rows, batch_size=self.batch)

    def run(self) -> Built:
        plan = self.plan
        district = District.objects.create(name=plan.name, sourced_id=plan.sourced_id)
        self.built = Built(district=district)
        programs = self.bulk(
            Program, [Program(district=district, code=c, name=n) for c, n in PROGRAMS]
        )
        self.programs = {p.code: p for p in programs}
        self.schools = self.bulk(
            School,
            [
                School(
                    district=district,
                    name=s.name,
                    sourced_id=f"{plan.key}-sch-{i + 1}",
                    time_zone="America/Chicago",
                    country="US",
                    phone=_school_phone(i),
                    email=f"{slugify(s.name)}@example.org",
                    address=s.address,
                )
                for i, s in enumerate(plan.schools)
            ],
        )
        self.built.counts["schools"] = len(self.schools)
        families = self._families()
        self.say(f"{len(families)} families")
        students, seats = self._students(families)
        teacher_chunks = self._sections(students, seats)
        self._staff(teacher_chunks)
        self._guardians(families, students)
        self._import_record()
        if plan.demo_accounts:
            give_demo_totp(self.built.demo_admin.user)
        return self.built

    # -- families and their children ------------------------------------------------------

    def _seats(self) -> list[Seat]:
        """One seat per student: school, grade, and the cohort (class group) they learn in."""
        seats = []
        for index, school in enumerate(self.plan.schools):
            for grade, size in _grade_sizes(school):
                cohorts = max(1, round(size / CLASS_SIZE))
                seats += [(index, grade, n % cohorts) for n in range(size)]
        return seats

    def _families(self) -> list[_Family]:
        rng = self.rng
        seats = self._seats()
        rng.shuffle(seats)
        seats.reverse()  # taken from the end below, which is cheap
        families: list[_Family] = []
        if self.plan.demo_accounts:
            families.append(self._demo_family(seats))
        language_weights = {language: language.family_share for language in HOME_LANGUAGES}
        while seats:
            size = min(_weighted(rng, CHILDREN_WEIGHTS), len(seats))
            children = [seats.pop() for _ in range(size)]
            language = _weighted(rng, language_weights)
            families.append(_Family(language, rng.choice(language.family_names), children))
        # Every family has one guardian; most have a second parent; the rest of the guardians
        # are relatives (grandparents, aunts) in the two-parent homes.
        extra = self.plan.guardians - sum(f.guardians for f in families)
        if extra < 0:
            raise ValueError("the plan has fewer guardians than families")
        order = [i for i, family in enumerate(families) if not family.demo]
        rng.shuffle(order)
        two_parent = order[: int(len(order) * 0.82)] or order
        for i in two_parent[:extra]:
            families[i].guardians += 1
        extra -= min(extra, len(two_parent))
        while extra > 0:
            for i in two_parent[:extra]:
                families[i].guardians += 1
            extra -= min(extra, len(two_parent))
        for family in families:
            if family.guardians >= 2 and not family.demo and rng.random() < 0.16:
                family.split = True
                family.restricted = rng.random() < 0.1
        return families

    def _demo_family(self, seats: list[Seat]) -> _Family:
        """The demo guardian's family: a sixth grader in the demo teacher's first class and,
        when there is a second school, a third grader there. The parents live apart."""
        wanted = [(0, "6", 0)] + ([(1, "3", 0)] if len(self.plan.schools) > 1 else [])
        children = []
        for seat in wanted:
            if seat in seats:
                seats.remove(seat)
                children.append(seat)
        es = LANGUAGE_BY_CODE["es"]
        return _Family(es, "Martínez", children, guardians=2, split=True, demo=True)

    def _students(self, families: list[_Family]) -> tuple[list[Student], list[Seat]]:
        rng = self.rng
        rows, seats, family_of = [], [], []
        members = {"EL": [], "IEP": [], "504": []}
        for f_index, family in enumerate(families):
            for seat in family.children:
                school_index, grade, _cohort = seat
                given = rng.choice(family.language.given_names)
                if family.demo:
                    given = "Sofía" if grade == "6" else "Mateo"
                rows.append(
                    Student(
                        school=self.schools[school_index],
                        sourced_id=f"{self.plan.key}-stu-{len(rows) + 1}",
                        given_name=given,
                        family_name=family.family_name,
                        grade=grade,
                    )
                )
                seats.append(seat)
                family_of.append(f_index)
                n = len(rows) - 1
                if rng.random() < (0.01 if family.language.code == "en" else 0.55):
                    members["EL"].append(n)
                if rng.random() < 0.13:
                    members["IEP"].append(n)
                elif rng.random() < 0.05:
                    members["504"].append(n)
        students = self.bulk(Student, rows)
        through = Student.programs.through
        self.bulk(
            through,
            [
                through(student_id=students[n].pk, program_id=self.programs[code].pk)
                for code, indexes in members.items()
                for n in indexes
            ],
        )
        self.family_of = family_of
        self.built.counts["students"] = len(students)
        self.say(f"{len(students)} students")
        return students, seats

    # -- sections: one per cohort and subject, shared out to teachers ---------------------

    def _sections(self, students: list[Student], seats: list[Seat]) -> list[list[list[Section]]]:
        """Create the sections and enrol the students; return each school's teacher loads
        (four to six sections each, a subject at a time, so the math teacher teaches math)."""
        rng = self.rng
        rows, cohort_of, loads = [], [], []
        for index, school in enumerate(self.plan.schools):
            sizes = dict(_grade_sizes(school))
            school_rows = []
            for subject in SUBJECTS[school.kind]:
                for grade in GRADES[school.kind]:
                    cohorts = max(1, round(sizes[grade] / CLASS_SIZE))
                    for cohort in range(cohorts):
                        letter = f" ({chr(ord('A') + cohort)})" if cohorts > 1 else ""
                        school_rows.append(
                            Section(
                                school=self.schools[index],
                                title=f"{subject} {grade}{letter}",
                                course_title=f"{subject} {grade}",
                                term=TERM,
                            )
                        )
                        cohort_of.append((index, grade, cohort))
            teachers = max(1, round(len(school_rows) / 5))
            base, rest = divmod(len(school_rows), teachers)
            load_sizes = [base + (1 if t < rest else 0) for t in range(teachers)]
            rng.shuffle(load_sizes)
            if self.plan.demo_accounts and index == 0 and 5 in load_sizes:
                load_sizes.insert(0, load_sizes.pop(load_sizes.index(5)))
            school_loads, start = [], 0
            for size in load_sizes:
                load = school_rows[start : start + size]
                start += size
                for period, section in enumerate(load, 1):
                    section.period = str(period)
                school_loads.append(load)
            loads.append(school_loads)
            rows += school_rows
        for n, section in enumerate(rows, 1):
            section.sourced_id = f"{self.plan.key}-sec-{n}"
        sections = self.bulk(Section, rows)
        by_cohort = defaultdict(list)
        for section, seat in zip(sections, cohort_of, strict=True):
            by_cohort[seat].append(section)
        enrollments = [
            Enrollment(section=section, student=student)
            for student, seat in zip(students, seats, strict=True)
            for section in by_cohort[seat]
        ]
        for n, enrollment in enumerate(enrollments, 1):
            enrollment.sourced_id = f"{self.plan.key}-enr-{n}"
        self.bulk(Enrollment, enrollments)
        self.built.counts["sections"] = len(sections)
        self.built.counts["enrollments"] = len(enrollments)
        self.say(f"{len(sections)} sections, {len(enrollments)} enrolments")
        return loads

    # -- staff: teachers, four school-wide roles per school, a district admin -------------

    def _someone(self, language_code: str | None = None) -> tuple[str, str]:
        code = language_code or _weighted(self.rng, STAFF_LANGUAGE_WEIGHTS)
        language = LANGUAGE_BY_CODE[code]
        return self.rng.choice(language.given_names), self.rng.choice(language.family_names)

    def _staff(self, loads: list[list[list[Section]]]):
        rng = self.rng
        plan = self.plan
        demo = plan.demo_accounts
        people: list[_StaffPlan] = []
        for index, school in enumerate(self.schools):
            for t, load in enumerate(loads[index]):
                if demo and index == 0 and t == 0:
                    given, family, email = "Elena", "Rivera", DEMO_TEACHER_EMAIL
                else:
                    given, family = self._someone()
                    email = ""
                people.append(_StaffPlan(given, family, email, [(school, Role.TEACHER)], load))
            for role in SCHOOL_WIDE:
                given, family = self._someone()
                email = ""
                if demo and index == 0 and role == Role.SCHOOL_ADMIN:
                    given, family, email = "Karen", "Olson", DEMO_ADMIN_EMAIL
                people.append(_StaffPlan(given, family, email, [(school, role)]))
        given, family = self._someone("en")
        people.append(_StaffPlan(given, family, "", [], district_admin=True))
        # The rest of the staff target: co-teachers (English learners, special education)
        # who join four to six classes, and more school-wide staff.
        wide_cycle = (Role.INTERPRETER, Role.FAMILY_LIAISON, Role.COUNSELOR)
        for n in range(max(0, plan.staff - len(people))):
            school = self.schools[n % len(self.schools)]
            given, family = self._someone()
            if n % 2 == 0:
                pool = [section for load in loads[n % len(self.schools)] for section in load]
                joined = rng.sample(pool, min(len(pool), rng.randint(4, 6)))
                people.append(
                    _StaffPlan(given, family, "", [(school, Role.TEACHER)], joined, primary=False)
                )
            else:
                role = wide_cycle[(n // 2) % len(wide_cycle)]
                people.append(_StaffPlan(given, family, "", [(school, role)]))
        for person in people:
            domain = plan.staff_email_domain
            person.email = person.email or self.emails(person.given, person.family, domain)

        users = self.bulk(
            User,
            [
                User(
                    email=person.email,
                    first_name=person.given,
                    last_name=person.family,
                    password=self.password,
                    date_joined=YEAR_START - timedelta(days=30),
                )
                for person in people
            ],
        )
        staff = self.bulk(
            StaffMember,
            [
                StaffMember(
                    user=user,
                    district=self.built.district,
                    sourced_id=f"{plan.key}-stf-{n}",
                    given_name=person.given,
                    family_name=person.family,
                    email=person.email,
                    is_district_admin=person.district_admin,
                )
                for n, (user, person) in enumerate(zip(users, people, strict=True), 1)
            ],
        )
        assignments, teaching = [], []
        for member, person in zip(staff, people, strict=True):
            assignments += [Assignment(staff=member, school=s, role=r) for s, r in person.roles]
            for section in person.sections:
                teaching.append(
                    TeachingAssignment(
                        section=section,
                        staff=member,
                        is_primary=person.primary,
                        sourced_id=f"{plan.key}-tch-{len(teaching) + 1}",
                    )
                )
            if person.email == DEMO_TEACHER_EMAIL:
                self.built.demo_teacher = member
            elif person.email == DEMO_ADMIN_EMAIL:
                self.built.demo_admin = member
        self.bulk(Assignment, assignments)
        self.bulk(TeachingAssignment, teaching)
        self.built.counts["staff"] = len(staff)
        self.say(f"{len(staff)} staff")

    # -- guardians, their sign-ins, and the links to their children -----------------------

    def _guardians(self, families: list[_Family], students: list[Student]):
        rng = self.rng
        children_of = defaultdict(list)
        for student, f_index in zip(students, self.family_of, strict=True):
            children_of[f_index].append(student)
        planned = [
            (f_index, position, self._guardian(family, position))
            for f_index, family in enumerate(families)
            for position in range(family.guardians)
        ]
        joined = [guardian for _f, _p, guardian in planned if guardian.joined_at]
        users = self.bulk(
            User,
            [
                User(
                    email=guardian.email or None,
                    phone=guardian.phone or None,
                    first_name=guardian.given_name,
                    last_name=guardian.family_name,
                    password=self.no_password,
                    date_joined=guardian.joined_at,
                    last_login=guardian.joined_at,
                )
                for guardian in joined
            ],
        )
        for guardian, user in zip(joined, users, strict=True):
            guardian.user = user
        guardians = self.bulk(Guardian, [guardian for _f, _p, guardian in planned])
        self.say(f"{len(guardians)} guardians, {len(users)} joined")

        links = []
        for (f_index, position, _planned), guardian in zip(planned, guardians, strict=True):
            family = families[f_index]
            away = family.split and position == 1
            household = ""
            if family.split:
                home_street = STREETS[f_index % len(STREETS)]
                household = f"{family.family_name} — {home_street}"
                if away:
                    other_street = STREETS[(f_index * 7 + 3) % len(STREETS)]
                    household = f"{guardian.family_name} — {other_street}"
            relationship = Relationship.PARENT
            if position >= 2:
                relationship = Relationship.RELATIVE
            elif rng.random() < 0.06 and not family.demo:
                relationship = Relationship.GUARDIAN
            restricted = away and family.restricted
            links += [
                Guardianship(
                    guardian=guardian,
                    student=student,
                    relationship=relationship,
                    household=household,
                    lives_with=not away,
                    may_contact=not restricted,
                    may_see_records=not restricted,
                    is_primary=position == 0,
                )
                for student in children_of[f_index]
            ]
            if family.demo and position == 0:
                self.built.demo_guardian = guardian
        self.bulk(Guardianship, links)
        self.built.counts["guardians"] = len(guardians)
        self.built.counts["joined"] = len(users)
        self.built.counts["guardianships"] = len(links)
        self.built.counts["restricted"] = sum(1 for link in links if not link.may_contact)
        self.say(f"{len(links)} guardian–student links")

    def _guardian(self, family: _Family, position: int) -> Guardian:
        rng = self.rng
        language = family.language
        index = self.guardian_count
        self.guardian_count += 1
        if family.demo:
            given, family_name = ("Rosa", "Martínez") if position == 0 else ("Luis", "Martínez")
        else:
            given = rng.choice(language.given_names)
            family_name = family.family_name
            if position == 1 and rng.random() < 0.3:
                family_name = rng.choice(language.family_names)
        code = language.code
        # Some second parents in multilingual homes read English best.
        if position == 1 and code != "en" and not family.demo and rng.random() < 0.12:
            code = "en"
        has_email = rng.random() < language.email_share or family.demo
        has_phone = rng.random() < 0.96 or not has_email or family.demo
        joined = rng.random() < language.joined_share or (family.demo and position == 0)
        email = ""
        if has_email:
            domains = self.plan.family_email_domains
            domain = domains[-1] if index % 3 == 0 else domains[0]
            email = self.emails(given, family_name, domain)
        phone = _phone(self.plan.area_codes, index) if has_phone else ""
        if family.demo and position == 0:
            channel = Channel.SMS
        elif joined:
            channel = _weighted(rng, {Channel.APP: 0.45, Channel.SMS: 0.40, Channel.EMAIL: 0.15})
        else:
            channel = _weighted(rng, {Channel.SMS: 0.8, Channel.EMAIL: 0.2})
        if channel == Channel.EMAIL and not email:
            channel = Channel.SMS
        if channel == Channel.SMS and not phone:
            channel = Channel.EMAIL
        joined_at = None
        if joined:
            joined_at = YEAR_START + timedelta(minutes=rng.randrange(0, 88 * 24 * 60))
        return Guardian(
            district=self.built.district,
            sourced_id=f"{self.plan.key}-grd-{index + 1}",
            given_name=given,
            family_name=family_name,
            language=code,
            channel=channel,
            phone=phone,
            email=email,
            quiet_start=time(20, 0),
            quiet_end=time(7, 0),
            joined_at=joined_at,
        )

    def _import_record(self):
        """The roster import this data stands for, so the admin's home page shows one."""
        counts = self.built.counts
        started = YEAR_START - timedelta(hours=7)
        RosterImport.objects.create(
            district=self.built.district,
            started_by=self.built.demo_admin,
            file_name=self.plan.import_file_name,
            status=RosterImport.Status.SUCCEEDED,
            progress=100,
            created_at=started,
            finished_at=started + timedelta(minutes=2, seconds=41),
            counts={
                "created": {
                    name: counts.get(name, 0)
                    for name in ("schools", "staff", "students", "sections", "guardians")
                },
                "updated": {},
                "deactivated": {},
            },
        )


def give_demo_totp(user: User):
    """The demo admin's authenticator, stored through allauth so codes from the secret work."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)


def totp_url(user: User) -> str:
    from allauth.mfa.adapter import get_adapter

    return get_adapter().build_totp_url(user, DEMO_TOTP_SECRET)


# ---- the demo district as a whole ----------------------------------------------------------


def demo_district() -> District | None:
    return District.objects.filter(sourced_id=DEMO_DISTRICT_SOURCED_ID).first()


def remove_district(district: District) -> None:
    """Delete a district with everyone in it, their sign-ins included."""
    with transaction.atomic():
        User.objects.filter(Q(staff__district=district) | Q(guardian__district=district)).delete()
        Guardianship.objects.filter(guardian__district=district).delete()
        Enrollment.objects.filter(section__school__district=district).delete()
        TeachingAssignment.objects.filter(section__school__district=district).delete()
        Student.programs.through.objects.filter(program__district=district).delete()
        district.delete()


def seed_demo(progress: Callable[[str], None] | None = None) -> Built:
    return build_district(demo_plan(), progress=progress)


def sign_in_lines(district: District | None = None) -> list[str]:
    """The demo sign-ins, as `seed_demo` prints them."""
    admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
    school = ""
    if admin is not None:
        assignment = (
            Assignment.objects.filter(staff__user=admin, role=Role.SCHOOL_ADMIN)
            .select_related("school")
            .first()
        )
        school = f", school admin at {assignment.school.name}" if assignment else ""
    lines = [
        "Demo sign-ins:",
        f"  Teacher: {DEMO_TEACHER_EMAIL} — password {DEMO_PASSWORD}",
        f"  Admin{school}: {DEMO_ADMIN_EMAIL} — password {DEMO_PASSWORD}",
        f"    two-factor secret: {DEMO_TOTP_SECRET} (add it to an authenticator app)",
    ]
    if admin is not None:
        lines.append(f"    or scan: {totp_url(admin)}")
    lines.append(
        "  Guardian (Spanish): sign in with phone +1 612-555-0100 — "
        "the code is printed in this console"
    )
    return lines
