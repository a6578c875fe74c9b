"""Every existing school gets the default categories (new schools get them when they first
record)."""

from django.db import migrations

DEFAULTS = (
    ("Helping others", "positive", 1, "☺"),
    ("Perseverance", "positive", 1, "⚑"),
    ("Participation", "positive", 1, "☝"),
    ("Kindness", "positive", 1, "♥"),
    ("Great work", "positive", 1, "★"),
    ("Leadership", "positive", 1, "☀"),
    ("Unprepared", "needs_work", -1, "✎"),
    ("Off task", "needs_work", -1, "↺"),
    ("Disrupting others", "needs_work", -1, "♫"),
    ("Late to class", "needs_work", 0, "◷"),
)


def seed(apps, schema_editor):
    School = apps.get_model("people", "School")
    Category = apps.get_model("behavior", "Category")
    seeded = set(Category.objects.values_list("school_id", flat=True))
    rows = [
        Category(school_id=school_id, name=name, kind=kind, points=points, icon=icon, position=i)
        for school_id in School.objects.exclude(pk__in=seeded).values_list("pk", flat=True)
        for i, (name, kind, points, icon) in enumerate(DEFAULTS)
    ]
    Category.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("behavior", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
