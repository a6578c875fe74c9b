"""OneRoster 1.1 CSV bundles for tests and the benchmark.

`story_bundle()` is a small district told as rows; `write_bundle()` writes any bundle to a
folder the way real SIS exports look when asked (byte-order mark, CRLF, stray spaces);
`generate_bundle()` writes a large, deterministic district for timing and query counts.

The headers are written out here from the OneRoster 1.1 tables rather than taken from the
importer, so a test catches an importer that reads the wrong column.
"""

import csv
import io
import random
import zipfile
from pathlib import Path

HEADERS = {
    "orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions.csv": (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear"
    ),
    "courses.csv": (
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes"
    ),
    "classes.csv": (
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    ),
    "users.csv": (
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
        "password"
    ),
    "enrollments.csv": (
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate"
    ),
    "demographics.csv": "sourcedId,status,dateLastModified,birthDate,sex",
}
FILES = ("manifest.csv", *HEADERS)

Rows = list[dict[str, str]]
Bundle = dict[str, Rows | None]


def manifest(**files: str) -> Rows:
    rows = [
        {"propertyName": "manifest.version", "value": "1.0"},
        {"propertyName": "oneroster.version", "value": "1.1"},
    ]
    for name in ("academicSessions", "classes", "courses", "enrollments", "orgs", "users"):
        rows.append({"propertyName": f"file.{name}", "value": files.get(name, "bulk")})
    for name in ("categories", "classResources", "courseResources", "lineItems", "results"):
        rows.append({"propertyName": f"file.{name}", "value": "absent"})
    rows.append({"propertyName": "file.demographics", "value": files.get("demographics", "absent")})
    rows.append({"propertyName": "source.systemName", "value": "Test SIS"})
    return rows


def user(sourced_id: str, role: str, given: str, family: str, orgs: str, **extra: str) -> dict:
    return {
        "sourcedId": sourced_id,
        "status": "active",
        "dateLastModified": "2026-08-01T00:00:00.000Z",
        "enabledUser": "true",
        "orgSourcedIds": orgs,
        "role": role,
        "username": f"{given}.{family}".lower(),
        "givenName": given,
        "familyName": family,
        **extra,
    }


def story_bundle() -> Bundle:
    """Lakeside: one district, two schools, a few classes, staff of every kind and families.

    Ana (Lakeside Elementary) names her parents Rosa and Marco; Ben's relatives Gina and
    Noor name him from their side. Rosa texts, Marco has only a landline-style `phone`
    column, Gina has only an email, Noor has neither.
    """
    return {
        "manifest.csv": manifest(),
        "orgs.csv": [
            {
                "sourcedId": "d1",
                "status": "active",
                "name": "Lakeside District",
                "type": "district",
            },
            {
                "sourcedId": "s1",
                "status": "active",
                "name": "Lakeside Elementary",
                "type": "school",
                "parentSourcedId": "d1",
            },
            {
                "sourcedId": "s2",
                "status": "active",
                "name": "Lakeside Middle",
                "type": "school",
                "parentSourcedId": "d1",
            },
        ],
        "academicSessions.csv": [
            {
                "sourcedId": "y2026",
                "title": "2026-2027",
                "type": "schoolYear",
                "startDate": "2026-08-20",
                "endDate": "2027-06-10",
                "schoolYear": "2027",
            },
            {
                "sourcedId": "t1",
                "title": "Fall 2026",
                "type": "term",
                "startDate": "2026-08-20",
                "endDate": "2026-12-20",
                "parentSourcedId": "y2026",
                "schoolYear": "2027",
            },
            {
                "sourcedId": "t2",
                "title": "Spring 2027",
                "type": "term",
                "startDate": "2027-01-05",
                "endDate": "2027-06-10",
                "parentSourcedId": "y2026",
                "schoolYear": "2027",
            },
        ],
        "courses.csv": [
            {
                "sourcedId": "c-math",
                "schoolYearSourcedId": "y2026",
                "title": "Mathematics 6",
                "courseCode": "MA6",
                "orgSourcedId": "s1",
            },
            {
                "sourcedId": "c-sci",
                "schoolYearSourcedId": "y2026",
                "title": "Life Science 7",
                "courseCode": "SC7",
                "orgSourcedId": "s2",
            },
        ],
        "classes.csv": [
            {
                "sourcedId": "cl-math",
                "title": "Math 6 A",
                "grades": "06",
                "courseSourcedId": "c-math",
                "classType": "scheduled",
                "schoolSourcedId": "s1",
                "termSourcedIds": "t1",
                "periods": "1",
            },
            {
                "sourcedId": "cl-sci",
                "title": "Science 7 B",
                "grades": "07",
                "courseSourcedId": "c-sci",
                "classType": "scheduled",
                "schoolSourcedId": "s2",
                "termSourcedIds": "t1,t2",
                "periods": "2,3",
            },
        ],
        "users.csv": [
            user(
                "st-ana",
                "student",
                "Ana",
                "Lopez",
                "s1",
                agentSourcedIds="pa-rosa,pa-marco",
                grades="06",
                **{"metadata.homeLanguage": "Spanish", "metadata.lunch": "A"},
            ),
            user("st-ben", "student", "Ben", "Haddad", "s2", grades="07"),
            user(
                "te-maria",
                "teacher",
                "Maria",
                "Rivera",
                "s1,s2",
                email="maria.rivera@lakeside.example",
                phone="612-555-0100",
            ),
            user("ad-paula", "administrator", "Paula", "Principal", "s1"),
            user("ad-dana", "administrator", "Dana", "District", "d1"),
            user("ai-art", "aide", "Art", "Aide", "s2"),
            user(
                "pa-rosa",
                "parent",
                "Rosa",
                "Lopez",
                "s1",
                email="rosa@family.example",
                sms="(612) 555-0111",
            ),
            user(
                "pa-marco",
                "guardian",
                "Marco",
                "Lopez",
                "s1",
                email="marco@family.example",
                phone="612.555.0112",
                **{"metadata.homeLanguage": "English"},
            ),
            user(
                "pa-gina",
                "relative",
                "Gina",
                "Haddad",
                "s2",
                email="gina@family.example",
                agentSourcedIds="st-ben",
                **{"metadata.homeLanguage": "Arabic"},
            ),
            user("pa-noor", "parent", "Noor", "Haddad", "s2", agentSourcedIds="st-ben"),
        ],
        "enrollments.csv": [
            {
                "sourcedId": "e-ana-math",
                "classSourcedId": "cl-math",
                "schoolSourcedId": "s1",
                "userSourcedId": "st-ana",
                "role": "student",
            },
            {
                "sourcedId": "e-maria-math",
                "classSourcedId": "cl-math",
                "schoolSourcedId": "s1",
                "userSourcedId": "te-maria",
                "role": "teacher",
                "primary": "true",
            },
            {
                "sourcedId": "e-ben-sci",
                "classSourcedId": "cl-sci",
                "schoolSourcedId": "s2",
                "userSourcedId": "st-ben",
                "role": "student",
            },
            {
                "sourcedId": "e-maria-sci",
                "classSourcedId": "cl-sci",
                "schoolSourcedId": "s2",
                "userSourcedId": "te-maria",
                "role": "teacher",
                "primary": "true",
            },
            {
                "sourcedId": "e-art-sci",
                "classSourcedId": "cl-sci",
                "schoolSourcedId": "s2",
                "userSourcedId": "ai-art",
                "role": "aide",
                "primary": "false",
            },
        ],
    }


def school_bundle() -> Bundle:
    """Lakeside Elementary (s1) alone, as its school admin would export it: the story's
    people all at s1, Paula its administrator, and no district administrator."""
    bundle = story_bundle()

    def at_s1(value: str) -> str:
        orgs = dict.fromkeys("s1" if org == "s2" else org for org in value.split(","))
        return ",".join(orgs)

    bundle["orgs.csv"] = [org for org in bundle["orgs.csv"] if org["sourcedId"] != "s2"]
    for name, column in (
        ("courses.csv", "orgSourcedId"),
        ("classes.csv", "schoolSourcedId"),
        ("users.csv", "orgSourcedIds"),
        ("enrollments.csv", "schoolSourcedId"),
    ):
        for row in bundle[name]:
            row[column] = at_s1(row[column])
    bundle["users.csv"] = [row for row in bundle["users.csv"] if row["sourcedId"] != "ad-dana"]
    return bundle


def find(rows: Rows, sourced_id: str) -> dict[str, str]:
    """The row with this sourcedId, to change it in place."""
    return next(row for row in rows if row["sourcedId"] == sourced_id)


def _header(name: str, rows: Rows) -> list[str]:
    if name == "manifest.csv":
        return ["propertyName", "value"]
    columns = HEADERS[name].split(",")
    for row in rows:
        columns += [key for key in row if key not in columns]
    return columns


def _cell(value: str, padded: bool) -> str:
    if any(ch in value for ch in ',"\r\n') or value != value.strip():
        value = '"' + value.replace('"', '""') + '"'
    return f" {value} " if padded else value


def render_csv(
    name: str,
    rows: Rows,
    *,
    bom: bool = False,
    crlf: bool = False,
    padded: bool = False,
    drop_columns: tuple[str, ...] = (),
) -> bytes:
    columns = [c for c in _header(name, rows) if c not in drop_columns]
    newline = "\r\n" if crlf else "\n"
    lines = [",".join(_cell(c, padded) for c in columns)]
    lines += [",".join(_cell(row.get(c, ""), padded) for c in columns) for row in rows]
    text = newline.join(lines) + newline
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def write_bundle(
    folder: Path,
    bundle: Bundle,
    *,
    bom: bool = False,
    crlf: bool = False,
    padded: bool = False,
    drop_columns: dict[str, tuple[str, ...]] | None = None,
) -> Path:
    """Write each file of the bundle into the folder; a file set to None is left out."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in bundle.items():
        if rows is None:
            continue
        data = render_csv(
            name,
            rows,
            bom=bom,
            crlf=crlf,
            padded=padded,
            drop_columns=(drop_columns or {}).get(name, ()),
        )
        (folder / name).write_bytes(data)
    return folder


def zip_folder(folder: Path, target: Path | None = None) -> Path:
    target = target or folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"oneroster/{path.name}")
    return target


def zip_bytes(bundle: Bundle, **options) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in bundle.items():
            if rows is not None:
                archive.writestr(name, render_csv(name, rows, **options))
    return buffer.getvalue()


# ---- a district at scale ---------------------------------------------------------------------

GIVEN = ["Ana", "Ben", "Cal", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jin", "Kofi", "Lena"]
FAMILY = ["Lopez", "Nguyen", "Ali", "Haddad", "Smith", "Garcia", "Tran", "Hassan", "Kim", "Diaz"]
LANGUAGES = ["English", "Spanish", "spa", "es-MX", "Vietnamese", "Somali", "Arabic", "Hmong", ""]
PHONE_FORMATS = ["({a}) {b}-{c}", "{a}.{b}.{c}", "+1 {a} {b} {c}", "{a}{b}{c}", "1-{a}-{b}-{c}"]


def _phone(rng: random.Random) -> str:
    area = rng.choice(["612", "651", "763", "952"])
    exchange = str(rng.randint(200, 999))
    line = f"{rng.randint(0, 9999):04d}"
    return rng.choice(PHONE_FORMATS).format(a=area, b=exchange, c=line)


def large_bundle(students: int = 10000, seed: int = 1, prefix: str = "") -> Bundle:
    """A district of `students` students, ~1.5 guardians each and a section per 20 students.

    The same arguments give the same bundle, byte for byte. A prefix on every sourcedId lets
    two generated districts live in one database.
    """
    rng = random.Random(seed)
    school_count = max(1, students // 1000)
    district = f"{prefix}dist-1"
    schools = [f"{prefix}sch-{n:03d}" for n in range(school_count)]
    sections_per_school = max(2, students // 20 // school_count)
    orgs = [{"sourcedId": district, "name": "Generated District", "type": "district"}]
    orgs += [
        {"sourcedId": s, "name": f"School {n}", "type": "school", "parentSourcedId": district}
        for n, s in enumerate(schools)
    ]
    sessions = [
        {"sourcedId": "year", "title": "2026-2027", "type": "schoolYear", "schoolYear": "2027"},
        {"sourcedId": "fall", "title": "Fall", "type": "term", "parentSourcedId": "year"},
        {"sourcedId": "spring", "title": "Spring", "type": "term", "parentSourcedId": "year"},
    ]
    courses, classes, users, enrollments = [], [], [], []
    sections_of: dict[str, list[str]] = {}
    for school in schools:
        for subject in range(10):
            courses.append(
                {
                    "sourcedId": f"{school}-course-{subject}",
                    "schoolYearSourcedId": "year",
                    "title": f"Subject {subject}",
                    "orgSourcedId": school,
                }
            )
        for n in range(sections_per_school):
            section = f"{school}-sec-{n:03d}"
            sections_of.setdefault(school, []).append(section)
            classes.append(
                {
                    "sourcedId": section,
                    "title": f"Section {n}",
                    "courseSourcedId": f"{school}-course-{n % 10}",
                    "schoolSourcedId": school,
                    "termSourcedIds": rng.choice(["fall", "spring", "fall,spring"]),
                    "periods": str(n % 8 + 1),
                }
            )
        for n in range(0, sections_per_school, 2):
            teacher = f"{school}-tch-{n:03d}"
            users.append(
                user(
                    teacher,
                    "teacher",
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    school,
                    email=f"{teacher}@district.example",
                )
            )
            for section in sections_of[school][n : n + 2]:
                enrollments.append(
                    {
                        "sourcedId": f"enr-{section}-{teacher}",
                        "classSourcedId": section,
                        "schoolSourcedId": school,
                        "userSourcedId": teacher,
                        "role": "teacher",
                        "primary": "true",
                    }
                )
        users.append(user(f"{school}-adm", "administrator", "Pat", "Principal", school))
    users.append(user(f"{prefix}dist-adm", "administrator", "Dana", "District", district))
    for n in range(students):
        school = schools[n % school_count]
        student = f"{prefix}stu-{n:06d}"
        parents = [f"{prefix}par-{n:06d}-{x}" for x in ("ab" if n % 2 else "a")]
        # Half name their parents themselves; for the other half the parents name the child.
        names_parents = n % 4 < 2
        users.append(
            user(
                student,
                "student",
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                school,
                grades=f"{n % 12 + 1:02d}",
                agentSourcedIds=",".join(parents) if names_parents else "",
                **{"metadata.homeLanguage": rng.choice(LANGUAGES)},
            )
        )
        for parent in parents:
            contact = rng.random()
            # About one family in a hundred has a number no one can dial: real exports do.
            sms = "ask the office" if contact < 0.01 else _phone(rng) if contact < 0.6 else ""
            users.append(
                user(
                    parent,
                    rng.choice(["parent", "parent", "guardian", "relative"]),
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    school,
                    agentSourcedIds="" if names_parents else student,
                    sms=sms,
                    phone=_phone(rng) if 0.6 <= contact < 0.75 else "",
                    email=f"{parent}@family.example" if contact > 0.4 else "",
                    **{"metadata.language": rng.choice(LANGUAGES)},
                )
            )
        for section in rng.sample(sections_of[school], 2):
            enrollments.append(
                {
                    "sourcedId": f"enr-{section}-{student}",
                    "classSourcedId": section,
                    "schoolSourcedId": school,
                    "userSourcedId": student,
                    "role": "student",
                }
            )
    return {
        "manifest.csv": manifest(),
        "orgs.csv": orgs,
        "academicSessions.csv": sessions,
        "courses.csv": courses,
        "classes.csv": classes,
        "users.csv": users,
        "enrollments.csv": enrollments,
    }


def generate_bundle(
    folder: Path, students: int = 10000, seed: int = 1, *, as_zip: bool = False, prefix: str = ""
) -> Path:
    """Write a large deterministic bundle into the folder (and zip it when asked).

    Returns the folder, or the .zip beside it.
    """
    folder = Path(folder)
    write_bundle(folder, large_bundle(students, seed, prefix), bom=True, crlf=True)
    return zip_folder(folder) if as_zip else folder


def csv_rows(data: bytes) -> list[list[str]]:
    """Rows of a rendered file, for tests that look at what the factory wrote."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
