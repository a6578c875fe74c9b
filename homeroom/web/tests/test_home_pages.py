"""The home page of each role: what it shows, and that its query count stays the same
however many classes, children, schools and families it lists."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from homeroom.people.models import (
    Channel,
    Enrollment,
    Guardian,
    Guardianship,
    RosterImport,
    School,
    Section,
    Student,
    TeachingAssignment,
)
from homeroom.testing.personas import link, make_guardian

# (language, channel, joined) for the families the helpers below add, in turn.
FAMILY_MIX = [
    ("es", Channel.SMS, True),
    ("vi", Channel.APP, False),
    ("so", Channel.SMS, False),
    ("ar", Channel.EMAIL, True),
    ("en", Channel.EMAIL, True),
    ("ht", Channel.SMS, False),
]
JOINED_AT = "2026-09-01T12:00:00Z"

# Pinned: a change here means a page started to query per row (or stopped needing a query).
# Every page: session, user, staff member, guardian, (staff) assignments with their schools'
# time zones, and the unread-messages count in the navigation; then what the middleware and
# the page itself need.
# Teacher: + her sections with their student counts. The rosters are not on the page.
TEACHER_HOME_QUERIES = 7
# A section opened on the teacher home (a fragment: no navigation, so no unread count):
# session, user, staff member, guardian, assignments, + the section, its enrolments with
# their students, the guardianships, the district's translation routes.
SECTION_ROSTER_QUERIES = 9
# District admin: + TOTP check, reader time zone (district, its first school), schools,
# the families linked to them (joined by school and by language, in one), last import;
# + the last day of the insights roll-up (none here: with one, its rows replace the links).
ADMIN_HOME_QUERIES = 12
# Guardian (no assignments): + reader time zone (first child's school), guardianships,
# enrolments, sections, teachers.
FAMILY_SCHOOL_QUERIES = 10


# ---- reading the pages ---------------------------------------------------------------------


class _Page(HTMLParser):
    """The parts of a home page the tests read: headings, roster entries, list items, tables."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[str] = []
        self.students: list[str] = []
        self.guardians: dict[str, list[str]] = {}  # name → chips (language, channel, joined)
        self.tables: dict[str, list[list[str]]] = {}  # section id → rows of cell texts
        self.items: list[str] = []
        self._open: list[tuple[str, set[str], int]] = []  # tag, classes, where its text starts
        self._text: list[str] = []
        self._guardian: str | None = None
        self._section: str | None = None
        self._row: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self._open.append((tag, set(attrs.get("class", "").split()), len(self._text)))
        if tag == "section":
            self._section = attrs.get("aria-labelledby")
        if tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        while self._open:
            open_tag, classes, start = self._open.pop()
            if open_tag == tag:
                break
        else:
            return
        text = " ".join("".join(self._text[start:]).split())
        if tag in {"h1", "h2"}:
            self.headings.append(text)
        elif tag == "a" and "student" in classes:
            self.students.append(text)
        elif tag == "a" and self._inside("li", "guardian"):
            self._guardian = text
            self.guardians[text] = []
        elif tag == "span" and "chip" in classes and self._inside("li", "guardian"):
            self.guardians[self._guardian].append(text)
        elif tag in {"td", "th"} and self._row is not None:
            self._row.append(text)
        elif tag == "tr" and self._row is not None:
            self.tables.setdefault(self._section, []).append(self._row)
            self._row = None
        elif tag == "li":
            self.items.append(text)

    def handle_data(self, data):
        self._text.append(data)

    def _inside(self, tag, css_class):
        return any(t == tag and css_class in classes for t, classes, _ in self._open)


def page(response) -> _Page:
    assert response.status_code == 200
    return _Page(response.content.decode())


# ---- growing the world ---------------------------------------------------------------------


def add_families(world, students: list[Student], start: int = 0) -> None:
    """Two guardians per student (the mix above), and a barred third for every fifth child."""
    guardians, links = [], []
    for n, student in enumerate(students, start):
        for k in range(2):
            language, channel, joined = FAMILY_MIX[(n + k) % len(FAMILY_MIX)]
            guardians.append(
                Guardian(
                    district=world.district,
                    given_name=f"Parent{n}x{k}",
                    family_name=student.family_name,
                    language=language,
                    channel=channel,
                    phone=f"+1612555{2000 + 2 * n + k:04d}",
                    joined_at=JOINED_AT if joined else None,
                )
            )
        if n % 5 == 0:
            guardians.append(
                Guardian(district=world.district, given_name=f"Barred{n}", family_name="X")
            )
    guardians = Guardian.objects.bulk_create(guardians)
    by_family = iter(guardians)
    for n, student in enumerate(students, start):
        for k in range(2):
            links.append(
                Guardianship(
                    guardian=next(by_family),
                    student=student,
                    is_primary=k == 0,
                    household=f"{student.family_name} — home {k}",
                    lives_with=k == 0,
                )
            )
        if n % 5 == 0:
            links.append(
                Guardianship(
                    guardian=next(by_family),
                    student=student,
                    may_contact=False,
                    may_see_records=False,
                    lives_with=False,
                )
            )
    Guardianship.objects.bulk_create(links)


def add_classes(world, sections: int, per_section: int) -> list[Section]:
    """More classes for Ms Rivera (Mr Chen co-teaches them), each full of new students."""
    new = Section.objects.bulk_create(
        Section(school=world.north, title=f"Homeroom {k}", period=str(k + 3))
        for k in range(sections)
    )
    TeachingAssignment.objects.bulk_create(
        [TeachingAssignment(section=s, staff=world.rivera) for s in new]
        + [TeachingAssignment(section=s, staff=world.chen, is_primary=False) for s in new]
    )
    students = Student.objects.bulk_create(
        Student(school=world.north, given_name=f"Kid{k}", family_name=f"Fam{k:04d}", grade="6")
        for k in range(sections * per_section)
    )
    Enrollment.objects.bulk_create(
        Enrollment(section=new[k // per_section], student=student)
        for k, student in enumerate(students)
    )
    add_families(world, students)
    return new


def add_children(world, guardian, children: int, classes_each: int) -> None:
    """More children for a guardian, in both schools, each in classes with two teachers."""
    schools = [world.north, world.south]
    kids = Student.objects.bulk_create(
        Student(
            school=schools[k % 2],
            given_name=f"Child{k}",
            family_name=guardian.family_name,
            grade=str(k + 1),
        )
        for k in range(children)
    )
    sections = Section.objects.bulk_create(
        Section(school=kid.school, title=f"Class {k}-{c}", period=str(c + 1))
        for k, kid in enumerate(kids)
        for c in range(classes_each)
    )
    first, second = (
        {world.north.pk: world.rivera, world.south.pk: world.south_teacher},
        {
            world.north.pk: world.chen,
            world.south.pk: world.south_admin,
        },
    )
    TeachingAssignment.objects.bulk_create(
        [TeachingAssignment(section=s, staff=first[s.school_id]) for s in sections]
        + [
            TeachingAssignment(section=s, staff=second[s.school_id], is_primary=False)
            for s in sections
        ]
    )
    Enrollment.objects.bulk_create(
        Enrollment(section=section, student=kids[n // classes_each])
        for n, section in enumerate(sections)
    )
    Guardianship.objects.bulk_create(Guardianship(guardian=guardian, student=k) for k in kids)


def add_schools(world, schools: int, students_each: int) -> list[School]:
    """More schools in the district, each with students and their families."""
    new = School.objects.bulk_create(
        School(district=world.district, name=f"School {k:02d}") for k in range(schools)
    )
    students = Student.objects.bulk_create(
        Student(school=school, given_name=f"Pupil{k}", family_name=f"Fam{k:04d}")
        for school in new
        for k in range(students_each)
    )
    add_families(world, students, start=1)
    return new


# ---- teacher -------------------------------------------------------------------------------


def roster(client, section) -> _Page:
    """A section of the teacher home, opened: what htmx fetches into it."""
    url = reverse("staff_home_roster", args=[section.pk])
    return page(client.get(url, headers={"HX-Request": "true"}))


def test_teacher_sees_her_classes_with_their_sizes_not_their_rosters(world, login):
    response = login(world.rivera).get(reverse("home"))
    home = page(response)
    assert "Math 6" in home.headings and "Art 6" in home.headings
    assert "Science 6" not in home.headings  # Mr Chen's class
    text = response.content.decode()
    # Eve has left: Math 6 counts Ana and Cal.
    assert "Period 1 · 2 students" in text and "Period 2 · 1 student" in text
    # Each section's families load when it is opened, from the section's own roster...
    assert f'hx-get="{reverse("staff_home_roster", args=[world.math.pk])}"' in text
    assert 'hx-trigger="toggle once"' in text
    # ...and without JavaScript its link leads to the section's page.
    assert f'href="{reverse("section_detail", args=[world.math.pk])}"' in text
    assert home.students == [] and home.guardians == {}


def test_teacher_opens_a_section_and_sees_its_students_and_their_families(world, login):
    client = login(world.rivera)
    math = roster(client, world.math)
    # Eve has left; Ben is not in her classes.
    assert math.students == ["Ana Lopez", "Cal Nguyen"]
    assert math.guardians["Rosa Lopez"] == ["Spanish", "Text message (SMS)", "Joined"]
    assert math.guardians["Marco Lopez"] == ["English", "Email", "Joined"]
    assert math.guardians["Gina Nguyen"] == ["Vietnamese", "Text message (SMS)", "Joined"]
    # The split household shows; the father barred by a court order does not.
    assert any("Lopez — Oak Ave" in item for item in math.items)
    assert "Ray Nguyen" not in math.guardians
    assert roster(client, world.art).students == ["Cal Nguyen"]


def test_teacher_sees_which_families_have_not_joined(world, login):
    science = roster(login(world.chen), world.science)
    assert science.students == ["Ben Ali"]
    assert science.guardians == {"Pat Ali": ["Somali", "Text message (SMS)", "Not joined yet"]}


def test_a_section_the_teacher_does_not_teach_is_not_found(world, login):
    htmx = {"HX-Request": "true"}
    url = reverse("staff_home_roster", args=[world.science.pk])
    assert login(world.rivera).get(url, headers=htmx).status_code == 404
    # Seeing a school's families is not teaching its classes; families have no classes here.
    assert login(world.liaison).get(url, headers=htmx).status_code == 404
    assert login(world.principal).get(url, headers=htmx).status_code == 404
    assert login(world.rosa).get(url, headers=htmx).status_code == 404
    missing = reverse("staff_home_roster", args=[999_999])
    assert login(world.chen).get(missing, headers=htmx).status_code == 404


def test_without_htmx_a_section_roster_leads_to_the_sections_page(world, login):
    client = login(world.rivera)
    response = client.get(reverse("staff_home_roster", args=[world.math.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("section_detail", args=[world.math.pk])
    assert "HX-Request" in response["Vary"]
    # Not a way to learn of another teacher's class either.
    other = client.get(reverse("staff_home_roster", args=[world.science.pk]))
    assert other.status_code == 404


def test_school_wide_staff_are_pointed_to_all_the_schools_families(world, login):
    text = login(world.liaison).get(reverse("home")).content.decode()
    assert "All families at North Elementary" in text
    assert reverse("school_detail", args=[world.north.pk]) in text
    assert "All families at South High" not in text


@pytest.mark.parametrize("sections, per_section", [(1, 5), (6, 40)], ids=["small", "large"])
def test_teacher_home_query_count_does_not_grow(
    world, login, django_assert_num_queries, sections, per_section
):
    add_classes(world, sections, per_section)
    client = login(world.rivera)
    with django_assert_num_queries(TEACHER_HOME_QUERIES):
        response = client.get(reverse("home"))
    home = page(response)
    assert len(home.headings) == 1 + 2 + sections  # "My classes", Math, Art, the new ones
    # Each new class says how many it holds, counted by the database, not listed.
    assert response.content.decode().count(f" · {per_section} students</p>") == sections
    assert home.students == []


@pytest.mark.parametrize("per_section", [5, 60], ids=["small", "large"])
def test_section_roster_query_count_does_not_grow(
    world, login, django_assert_num_queries, per_section
):
    from homeroom.web.views import ROSTER_SIZE

    (section,) = add_classes(world, 1, per_section)
    client = login(world.rivera)
    url = reverse("staff_home_roster", args=[section.pk])
    with django_assert_num_queries(SECTION_ROSTER_QUERIES):
        response = client.get(url, headers={"HX-Request": "true"})
    opened = page(response)
    listed = min(per_section, ROSTER_SIZE)
    assert len(opened.students) == listed
    assert len(opened.guardians) == 2 * listed
    assert not any(name.startswith("Barred") for name in opened.guardians)
    assert opened.guardians["Parent1x0 Fam0001"] == ["Vietnamese", "App", "Not joined yet"]
    assert opened.guardians["Parent3x1 Fam0003"] == ["English", "Email", "Joined"]
    # A class longer than the list points to its own (paginated) page for the rest.
    rest = f"All the students of {section.title}" in response.content.decode()
    assert rest == (per_section > ROSTER_SIZE)


# ---- admin ---------------------------------------------------------------------------------


def test_school_admin_sees_joined_share_by_school_and_language(world, login):
    home = page(login(world.principal).get(reverse("home")))
    # North: Rosa, Marco, Gina, Ray (barred, still a family on record) and Pat (not joined).
    assert home.tables["joined-school"][1:] == [["North Elementary", "4", "5", "80%"]]
    by_language = {row[0]: row[1:] for row in home.tables["joined-language"][1:]}
    assert by_language == {
        "English": ["2", "2", "100%"],
        "Spanish": ["1", "1", "100%"],
        "Vietnamese": ["1", "1", "100%"],
        "Somali": ["0", "1", "0%"],
    }
    assert "No roster has been imported yet." in response_text(login(world.principal))


def test_the_joined_share_counts_families_not_guardians(world, login):
    # Hodan has joined and lives with Ben, as Pat does (who has not): one family, joined.
    link(make_guardian(world.district, "Hodan", "Ali", "so", "+16125550177"), world.ben)
    home = page(login(world.principal).get(reverse("home")))
    assert home.tables["joined-school"][1:] == [["North Elementary", "5", "5", "100%"]]
    by_language = {row[0]: row[1:] for row in home.tables["joined-language"][1:]}
    assert by_language["Somali"] == ["1", "1", "100%"]


def response_text(client) -> str:
    return client.get(reverse("home")).content.decode()


def test_admin_sees_the_last_roster_import(world, login):
    RosterImport.objects.create(
        district=world.district,
        started_by=world.principal,
        file_name="older.zip",
        status=RosterImport.Status.FAILED,
        created_at="2026-08-01T12:00:00Z",
    )
    RosterImport.objects.create(
        district=world.district,
        started_by=world.principal,
        file_name="riverside-2026-09.zip",
        status=RosterImport.Status.SUCCEEDED,
        created_at="2026-09-01T12:00:00Z",
    )
    text = response_text(login(world.principal))
    assert "riverside-2026-09.zip" in text and "Imported" in text
    assert "older.zip" not in text


def test_an_admin_sees_only_the_imports_they_may_follow(world, login):
    RosterImport.objects.create(
        district=world.district,
        started_by=world.principal,
        file_name="north-only.zip",
        status=RosterImport.Status.SUCCEEDED,
        created_at="2026-09-01T12:00:00Z",
    )
    RosterImport.objects.create(
        district=world.district,
        started_by=world.district_admin,
        file_name="whole-district.zip",
        status=RosterImport.Status.SUCCEEDED,
        created_at="2026-09-02T12:00:00Z",
    )

    south = response_text(login(world.south_admin))
    assert "north-only.zip" not in south and "whole-district.zip" not in south
    assert "north-only.zip" in response_text(login(world.principal))
    assert "whole-district.zip" in response_text(login(world.district_admin))


def test_district_admin_sees_every_school(world, login):
    home = page(login(world.district_admin).get(reverse("home")))
    rows = home.tables["joined-school"][1:]
    assert rows == [["North Elementary", "4", "5", "80%"], ["South High", "1", "1", "100%"]]
    by_language = {row[0]: row[1:] for row in home.tables["joined-language"][1:]}
    assert by_language["Arabic"] == ["1", "1", "100%"]


@pytest.mark.parametrize("schools, students_each", [(1, 5), (8, 40)], ids=["small", "large"])
def test_admin_home_query_count_does_not_grow(
    world, login, django_assert_num_queries, schools, students_each
):
    add_schools(world, schools, students_each)
    add_classes(world, schools, students_each)  # and more families at North
    client = login(world.district_admin)
    with django_assert_num_queries(ADMIN_HOME_QUERIES):
        response = client.get(reverse("home"))
    home = page(response)
    rows = {row[0]: row[1:] for row in home.tables["joined-school"][1:]}
    assert len(rows) == 2 + schools
    # Each new school: 2 guardians per student, half of them joined, plus the barred ones.
    barred = len(range(0, students_each, 5))
    families = 2 * students_each + barred
    assert rows["School 00"][1] == str(families)
    languages = {row[0] for row in home.tables["joined-language"][1:]}
    assert {"Haitian Creole", "Somali", "Arabic", "Vietnamese", "Spanish"} <= languages


# ---- family --------------------------------------------------------------------------------


def test_guardian_sees_her_children_their_teachers_and_the_school(world, login):
    text = login(world.rosa).get(reverse("family_school")).content.decode()
    home = _Page(text)
    assert "Ana Lopez" in home.headings
    assert "Cal Nguyen" not in home.headings
    assert any(item.startswith("Math 6") and "Maria Rivera" in item for item in home.items)
    assert "(612) 555-0100" in text and "north@example.org" in text
    assert 'lang="es"' in text


def test_guardian_home_is_the_home_page_for_families(world, login):
    client = login(world.gina)
    home = client.get(reverse("home")).content.decode()
    assert reverse("behavior:child_feed", args=[world.cal.pk]) in home
    assert reverse("behavior:child_feed", args=[world.ana.pk]) not in home
    school = client.get(reverse("family_school")).content.decode()
    assert _Page(school).headings[1:] == ["Cal Nguyen"]


@pytest.mark.parametrize("children, classes_each", [(1, 1), (5, 6)], ids=["small", "large"])
def test_family_home_query_count_does_not_grow(
    world, login, django_assert_num_queries, children, classes_each
):
    add_children(world, world.rosa, children, classes_each)
    client = login(world.rosa)
    with django_assert_num_queries(FAMILY_SCHOOL_QUERIES):
        response = client.get(reverse("family_school"))
    home = page(response)
    assert len(home.headings) == 1 + 1 + children  # greeting, Ana, the new children
    classes = [item for item in home.items if item.startswith("Class ")]
    assert len(classes) == children * classes_each
    assert all(item.count("—") == 2 for item in classes)  # two teachers each
    assert any("Sam South" in item for item in classes) == (children > 1)
