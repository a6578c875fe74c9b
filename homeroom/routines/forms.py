from django import forms
from django.utils.translation import gettext_lazy as _

from homeroom.forms import QueryForm

from .models import NOTE_MAX_CHARS, ContactKind, Direction, Tone

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class ReminderForm(forms.Form):
    day = forms.TypedChoiceField(
        label=_("Remind me by email on"),
        choices=[("", _("No reminder")), *WEEKDAYS],
        coerce=int,
        empty_value=None,
        required=False,
    )


class PlanForm(forms.Form):
    cycle_days = forms.IntegerField(
        label=_("Reach every family every … days"), initial=14, min_value=1, max_value=366
    )
    call_days = forms.TypedMultipleChoiceField(
        label=_("Days I make calls"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    section = forms.TypedChoiceField(
        label=_("Families of"), coerce=int, empty_value=None, required=False
    )
    # Offered only once the plan was found to put too many calls on a day.
    busy_confirmed = forms.BooleanField(
        label=_("Plan it anyway: I can make that many calls on those days"), required=False
    )

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("All my classes"))] + [
            (section.pk, section.title) for section in sections
        ]
        self.fields["cycle_days"].error_messages["min_value"] = _("A cycle lasts at least one day.")


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    direction = forms.ChoiceField(
        label=_("Who initiated"), choices=Direction.choices, initial=Direction.SCHOOL
    )
    tone = forms.ChoiceField(
        label=_("Tone"), choices=Tone.choices, initial=Tone.POSITIVE, widget=forms.RadioSelect
    )
    guardian = forms.TypedChoiceField(label=_("With"), coerce=int, empty_value=None, required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].choices = [("", _("The family"))] + [
            (guardian.pk, guardian.full_name) for guardian in guardians
        ]


class VisitProposalForm(forms.Form):
    guardian = forms.TypedChoiceField(label=_("Family member"), coerce=int)
    slot_1 = forms.DateTimeField(
        label=_("First time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    slot_2 = forms.DateTimeField(
        label=_("Second time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    slot_3 = forms.DateTimeField(
        label=_("Third time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, guardians=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].choices = [(g.pk, g.full_name) for g in guardians]


class VisitNotesForm(forms.Form):
    notes_hopes = forms.CharField(
        label=_("Their hopes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes_worries = forms.CharField(
        label=_("Their worries"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes_learning = forms.CharField(
        label=_("How the child learns best"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    share_with_teachers = forms.BooleanField(
        label=_("The family agreed that the child's teachers may read this"), required=False
    )


class WeeklyForm(forms.Form):
    """The weekly update as posted: a sentence and a framing per student, a student to skip,
    and where to go next. Read as a whole before anything is saved."""

    skip = forms.CharField(required=False)
    then = forms.CharField(required=False)

    def __init__(self, *args, students=(), **kwargs):
        super().__init__(*args, **kwargs)
        for student in students:
            self.fields[f"text-{student.pk}"] = forms.CharField(required=False, strip=False)
            self.fields[f"framing-{student.pk}"] = forms.CharField(required=False)

    def error_for(self, student) -> str | None:
        for name in (f"text-{student.pk}", f"framing-{student.pk}"):
            if self.has_error(name):
                return str(self.errors[name][0])
        return None


class CheckinLogForm(forms.Form):
    outcome = forms.CharField(required=False)
    tone = forms.CharField(required=False, initial=Tone.POSITIVE)
    note = forms.CharField(required=False, strip=False)


class StoryForm(forms.Form):
    text = forms.CharField(required=False, strip=False)


class VisitAnswerForm(forms.Form):
    slot = forms.CharField(required=False)
    proposal = forms.CharField(required=False)
    decline = forms.CharField(required=False)


class TimelinePageForm(QueryForm):
    """Which page of a timeline (a whole number from 1; anything else reads as the first),
    and whether the form to log a contact is open."""

    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, initial=1)
    log = forms.BooleanField(required=False)  # open the form to log a contact
