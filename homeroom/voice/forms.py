"""Every value a survey page reads goes through one of these forms."""

import re
from dataclasses import dataclass
from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homeroom.messaging.audiences import Audience

from .models import (
    INTRO_MAX_CHARS,
    LONG_ANSWER_MAX_CHARS,
    OPTION_MAX_CHARS,
    QUESTION_MAX_CHARS,
    SHORT_ANSWER_MAX_CHARS,
    TITLE_MAX_CHARS,
    Question,
)
from .services import QuestionDraft


@dataclass(frozen=True)
class FamilyList:
    """A list of a school's families a survey may ask: its key in the audience field, its
    label, and the (guardian id, label) of each family the person may put on it."""

    school_id: int
    label: str
    families: list[tuple[int, str]]

    @property
    def key(self) -> str:
        return f"families:{self.school_id}"


# Characters that reorder what is shown after them (U+202A–U+202E, U+2066–U+2069): a text
# carrying them could show families something other than what it holds.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
QUESTION_SLOTS = 5
OPTION_LINES_MAX_CHARS = 12 * (OPTION_MAX_CHARS + 1)


def no_bidi_controls(value: str) -> None:
    if BIDI_CONTROLS.search(value or ""):
        raise forms.ValidationError(
            _("Remove the invisible direction characters from this text."), code="bidi"
        )


def _text(label, max_length, *, required=True, textarea=False, rows=3):
    widget = forms.Textarea(attrs={"rows": rows}) if textarea else forms.TextInput
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        validators=[no_bidi_controls],
    )


class SurveyForm(forms.Form):
    title = _text(_("Title"), TITLE_MAX_CHARS)
    intro = _text(_("A few words for families"), INTRO_MAX_CHARS, required=False, textarea=True)
    audience = forms.ChoiceField(label=_("Who is asked"))
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    anonymous = forms.BooleanField(
        label=_("Anonymous: answers are not linked to the family"), required=False
    )
    families = forms.TypedMultipleChoiceField(
        label=_("The families on the list"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, choices=(), lists=(), **kwargs):
        """`choices`: the audiences the person may ask (`messaging.audiences`); `lists`: per
        school, the families they may put on a list (`access.families_to_list`)."""
        super().__init__(*args, **kwargs)
        self.choices = {choice.key: choice for choice in choices}
        self.lists = {family_list.key: family_list for family_list in lists}
        self.fields["audience"].choices = [(c.key, c.label) for c in choices] + [
            (family_list.key, family_list.label) for family_list in lists
        ]
        listed = {}
        for family_list in lists:
            for guardian_id, label in family_list.families:
                listed.setdefault(guardian_id, label)
        if listed:
            self.fields["families"].choices = list(listed.items())
        else:
            del self.fields["families"]

    def clean(self):
        cleaned = super().clean()
        family_list = self.lists.get(cleaned.get("audience"))
        if family_list is None:
            cleaned["families"] = []
            return cleaned
        chosen = cleaned.get("families") or []
        if not chosen:
            self.add_error("families", _("Choose at least one family for the list."))
        elif not set(chosen) <= {guardian_id for guardian_id, _label in family_list.families}:
            self.add_error("families", _("Choose families of the school you ask for."))
        return cleaned

    @property
    def chosen_audience(self) -> Audience:
        key = self.cleaned_data["audience"]
        if key in self.lists:
            return Audience.families(self.lists[key].school_id, self.cleaned_data["families"])
        return self.choices[key].audience

    def clean_closes_on(self):
        day = self.cleaned_data["closes_on"]
        closes_at = timezone.make_aware(datetime.combine(day, time(23, 59)))
        if closes_at <= timezone.now():
            raise forms.ValidationError(_("Choose a closing date in the future."))
        self.cleaned_data["closes_at"] = closes_at
        return day

    @property
    def closes_at(self):
        return self.cleaned_data["closes_at"]


class GroupSurveyForm(SurveyForm):
    """A parent leader's survey: asked of the group's members, so no audience to choose."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["audience"]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Question.Kind.choices)
    text = _text(_("Question"), QUESTION_MAX_CHARS, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    options = _text(
        _("Options, one per line (for choices and scales)"),
        OPTION_LINES_MAX_CHARS,
        required=False,
        textarea=True,
        rows=5,
    )

    def clean_options(self):
        lines = [line.strip() for line in self.cleaned_data["options"].splitlines()]
        lines = [line for line in lines if line]
        for line in lines:
            if len(line) > OPTION_MAX_CHARS:
                raise forms.ValidationError(
                    _("Keep each option under %(count)s characters.") % {"count": OPTION_MAX_CHARS}
                )
        return lines

    def draft(self) -> QuestionDraft | None:
        """The question, or None for a slot left empty."""
        data = self.cleaned_data
        if not data.get("text", "").strip():
            return None
        return QuestionDraft(
            kind=data["kind"],
            text=data["text"].strip(),
            required=data["required"],
            options=data["options"],
        )


def question_forms(data=None) -> list[QuestionForm]:
    return [QuestionForm(data, prefix=f"q{index}") for index in range(1, QUESTION_SLOTS + 1)]


class TranslationsForm(forms.Form):
    """Each language's version of each text, as staff correct it before sending."""

    def __init__(self, *args, versions: dict, labels: dict[str, str], option_sets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.option_sets = option_sets  # the option keys of each question, ["o1", "o2"…]
        self.languages = []
        for language, texts in versions.items():
            if texts is None:
                continue
            self.languages.append(language)
            for key, label in labels.items():
                name = f"{language}__{key}"
                long = key == "intro"
                self.fields[name] = _text(
                    label,
                    INTRO_MAX_CHARS if long else QUESTION_MAX_CHARS,
                    required=False,
                    textarea=long,
                )
                self.initial[name] = texts.get(key, "")

    def clean(self):
        data = super().clean()
        for language in self.languages:
            for keys in self.option_sets:
                seen = set()
                for key in keys:
                    name = f"{language}__{key}"
                    value = (data.get(name) or "").strip().casefold()
                    if value and value in seen:
                        self.add_error(
                            name,
                            _(
                                "Two answers read the same in this language: "
                                "give each its own words."
                            ),
                        )
                    seen.add(value)
        return data

    def fields_of(self, language):
        return [self[name] for name in self.fields if name.startswith(f"{language}__")]

    def checked(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for name, value in self.cleaned_data.items():
            language, key = name.split("__", 1)
            out.setdefault(language, {})[key] = value
        return out


class AnswerForm(forms.Form):
    """A family's answers: one field per question, its options by id."""

    def __init__(self, *args, questions, texts: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            label = texts.get(f"q{question.pk}") or question.text
            name = f"q{question.pk}"
            choices = [
                (str(option.pk), texts.get(f"o{option.pk}") or option.text)
                for option in question.options.all()
            ]
            if question.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=choices, widget=forms.CheckboxSelectMultiple
                )
            elif question.has_options:
                field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            elif question.kind == Question.Kind.LONG_TEXT:
                field = _text(label, LONG_ANSWER_MAX_CHARS, textarea=True, rows=4)
            else:
                field = _text(label, SHORT_ANSWER_MAX_CHARS)
            field.label = label
            field.required = question.required
            self.fields[name] = field

    def answers(self) -> dict[int, list[int] | str]:
        out: dict[int, list[int] | str] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == Question.Kind.MULTIPLE:
                out[question.pk] = [int(v) for v in value or []]
            elif question.has_options:
                out[question.pk] = [int(value)] if value else []
            else:
                out[question.pk] = (value or "").strip()
        return out


def initial_answers(response, questions) -> dict[str, object]:
    if response is None:
        return {}
    by_id = {question.pk: question for question in questions}
    initial: dict[str, object] = {}
    for answer in response.answers.all():
        ids = [str(option.pk) for option in answer.options.all()]
        question = by_id.get(answer.question_id)
        if question is None:
            continue
        if question.kind == Question.Kind.MULTIPLE:
            initial[f"q{question.pk}"] = ids
        elif question.has_options:
            initial[f"q{question.pk}"] = ids[0] if ids else ""
        else:
            initial[f"q{question.pk}"] = answer.text
    return initial
