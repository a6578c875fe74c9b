"""The daily roll-up: each day's figures per school (and for the whole district), so the
leaders' pages read a few hundred rows, not every delivery. The rows are written only by
`facts.roll_up` (the scheduler, or `manage.py rollup_insights`); see docs/insights.md."""

from django.db import models
from django.utils import timezone

from homeroom.people.models import District, School


# -- the daily roll-up --------------------------------------------------------------------------
class DailyFigures(models.Model):
    """The figures of one day, as of its end in the school's time zone.

    `school` empty: the whole district (a family at two schools counted once). `language`
    empty: every language; else the families with a reader of that base language. `grade`
    is kept empty for now (the row of every grade)."""

    day = models.DateField()
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=35, blank=True)
    grade = models.CharField(max_length=20, blank=True)
    families = models.PositiveIntegerField(default=0)
    joined = models.PositiveIntegerField(default=0)
    reachable = models.PositiveIntegerField(default=0)
    reached_14 = models.PositiveIntegerField(default=0)
    reached_30 = models.PositiveIntegerField(default=0)
    two_way_14 = models.PositiveIntegerField(default=0)
    two_way_30 = models.PositiveIntegerField(default=0)
    initiated_14 = models.PositiveIntegerField(default=0)
    initiated_30 = models.PositiveIntegerField(default=0)
    # Rows of every language only: answered family messages and the median wait (minutes of
    # school hours), and {role: [staff, staff with a two-way exchange]}, over 30 days.
    responses = models.PositiveIntegerField(default=0)
    response_median_minutes = models.PositiveIntegerField(null=True, blank=True)
    staff_by_role = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["district", "day"]),
            models.Index(fields=["school", "day"]),
        ]
        verbose_name_plural = "daily figures"

    def __str__(self):
        return f"{self.day} {self.school_id or 'district'} {self.language or '*'}"
