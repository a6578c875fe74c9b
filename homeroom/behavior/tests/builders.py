"""Data and measures several behaviour test modules share."""

from homeroom.behavior import recording
from homeroom.people.models import Enrollment, Guardian, Guardianship, Student


def grow(world, cats, extra_students=25, moments_each=22):
    """Make Math 6 big and Ana's feed long, with the same few notes (cached translations)."""
    students = Student.objects.bulk_create(
        [
            Student(school=world.north, given_name=f"Kid{i}", family_name="Extra", grade="6")
            for i in range(extra_students)
        ]
    )
    Enrollment.objects.bulk_create([Enrollment(section=world.math, student=s) for s in students])
    parents = Guardian.objects.bulk_create(
        [Guardian(district=world.district, given_name="P", family_name=f"{i}") for i in students]
    )
    Guardianship.objects.bulk_create(
        [Guardianship(guardian=g, student=s) for g, s in zip(parents, students, strict=True)]
    )
    everyone = [world.ana, world.cal, *students]
    for i in range(moments_each):
        category = cats["Kindness"] if i % 2 else cats["Off task"]
        recording.record_moments(world.rivera, everyone, category, "Same note")


def queries_of(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: translation memory, session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)
