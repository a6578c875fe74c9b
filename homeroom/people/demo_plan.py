"""What the demo district is made of: its fixed sign-ins, the plan of schools, grades and
classes, and the small rules the builder draws people with (names, e-mail addresses, phone
numbers). `demo.py` builds a district from a plan.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .demo_names import (
    HomeLanguage,
)
from .models import (
    District,
    Guardian,
    Role,
    School,
    Section,
    StaffMember,
)

# ---- the fixed demo sign-ins ---------------------------------------------------------------

DEMO_DISTRICT_NAME = "Riverside Unified"
DEMO_DISTRICT_SOURCED_ID = "demo-riverside-unified"
DEMO_PASSWORD = "homeroom-demo"
DEMO_TEACHER_EMAIL = "teacher@demo.homeroom.example"
DEMO_ADMIN_EMAIL = "admin@demo.homeroom.example"
DEMO_GUARDIAN_PHONE = "+16125550100"
# Base32, as authenticator apps expect it; fixed so the demo admin can add it once.
DEMO_TOTP_SECRET = "HOMEROOMDEMOADMIN2FA234567ABCDEF"

# The school year the demo lives in: families joined between its start and mid-November.
YEAR_START = datetime(2026, 8, 17, 13, 0, tzinfo=UTC)
TERM = "2026–2027"


# ---- plans ---------------------------------------------------------------------------------

GRADES = {
    "elementary": ("K", "1", "2", "3", "4", "5"),
    "middle": ("6", "7", "8"),
    "high": ("9", "10", "11", "12"),
}
# Ordered so a school's first teacher teaches math (the demo teacher does).
SUBJECTS = {
    "elementary": ("Math", "Reading", "Writing", "Science", "Art", "Music"),
    "middle": ("Math", "English", "Science", "Social Studies", "Spanish", "Art", "PE"),
    "high": ("Algebra", "English", "Biology", "US History", "Spanish", "PE"),
}
CLASS_SIZE = 28
SCHOOL_WIDE = (Role.FAMILY_LIAISON, Role.COUNSELOR, Role.INTERPRETER, Role.SCHOOL_ADMIN)


@dataclass(frozen=True)
class SchoolPlan:
    name: str
    kind: str  # elementary, middle or high
    students: int
    address: str


@dataclass(frozen=True)
class DistrictPlan:
    name: str
    sourced_id: str
    key: str  # short prefix for sourced ids
    schools: tuple[SchoolPlan, ...]
    guardians: int
    staff: int  # a target: teachers follow from the sections, the rest fill school roles
    seed: int = 2026
    # The fixed demo sign-ins (teacher, school admin of the first school, Spanish guardian).
    demo_accounts: bool = True
    # Addresses and numbers differ between plans, so two plans can share one database.
    staff_email_domain: str = "example.org"
    family_email_domains: tuple[str, ...] = ("example.com", "example.org")
    area_codes: tuple[str, ...] = ("612", "651")
    # A one-line record of the roster import the data stands for, so the admin sees one.
    import_file_name: str = "oneroster-2026-08-17.zip"


def demo_plan() -> DistrictPlan:
    return DistrictPlan(
        name=DEMO_DISTRICT_NAME,
        sourced_id=DEMO_DISTRICT_SOURCED_ID,
        key="demo",
        schools=(
            SchoolPlan("Riverside Middle School", "middle", 270, "2400 River Rd, Riverside"),
            SchoolPlan("Cedar Park Elementary", "elementary", 330, "815 Cedar St, Riverside"),
        ),
        guardians=900,
        staff=40,
        import_file_name="riverside-oneroster-2026-08-17.zip",
    )


# ---- the builder ---------------------------------------------------------------------------


@dataclass
class Built:
    district: District
    counts: dict[str, int] = field(default_factory=dict)
    demo_teacher: StaffMember | None = None
    demo_admin: StaffMember | None = None
    demo_guardian: Guardian | None = None


Seat = tuple[int, str, int]  # (school index, grade, cohort)


@dataclass
class _Family:
    language: HomeLanguage
    family_name: str
    children: list[Seat]
    guardians: int = 1
    split: bool = False  # the second parent keeps another household
    restricted: bool = False  # …and a court order keeps the school from contacting them
    demo: bool = False


@dataclass
class _StaffPlan:
    given: str
    family: str
    email: str
    roles: list[tuple[School, str]]
    sections: list[Section] = field(default_factory=list)
    primary: bool = True
    district_admin: bool = False


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


class _Emails:
    """Hands out each address once: the second Ana García gets ana.garcia2@…"""

    def __init__(self):
        self.seen: dict[str, int] = defaultdict(int)

    def __call__(self, given: str, family: str, domain: str) -> str:
        stem = f"{_ascii(given)}.{_ascii(family)}"
        self.seen[stem] += 1
        count = self.seen[stem]
        return f"{stem}{count if count > 1 else ''}@{domain}"


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _phone(area_codes: tuple[str, ...], index: int) -> str:
    """The index-th family number: 555-0100 to 555-8999 in one area code, then the next."""
    area, local = divmod(index, 8900)
    if area >= len(area_codes):
        raise ValueError("the plan needs more area codes for this many families")
    return f"+1{area_codes[area]}555{100 + local:04d}"


def _school_phone(index: int) -> str:
    # Schools answer on 555-9000 and up, a block no family number uses.
    return f"+1612555{9000 + index:04d}"


def _grade_sizes(school: SchoolPlan) -> list[tuple[str, int]]:
    grades = GRADES[school.kind]
    base, rest = divmod(school.students, len(grades))
    return [(grade, base + (1 if g < rest else 0)) for g, grade in enumerate(grades)]
