"""Contact details from the bundle: phone numbers and e-mail addresses read and checked,
and each guardian's language and means of contact worked out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from homeroom.languages import normalise_language

from .bundle import DEFAULT_COUNTRY, Bundle, UserRow
from .report import _Report
from .scope import Existing

# ---- contact details -----------------------------------------------------------------------


@dataclass
class Contact:
    phone: str = ""
    email: str = ""
    language: str | None = None
    can_text: bool = False
    # The SIS gave a value that could not be read: the one on file is better than none.
    phone_unreadable: bool = False
    email_unreadable: bool = False

    def phone_or(self, current: Any) -> str:
        return str(current or "") if self.phone_unreadable else self.phone

    def email_or(self, current: str) -> str:
        return current if self.email_unreadable else self.email


def normalise_phone(raw: str, country: str) -> str | None:
    """The E.164 form of a phone number written any common way, or None if it is not one."""
    try:
        number = phonenumbers.parse(raw, country or DEFAULT_COUNTRY)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_mobile(e164: str) -> bool:
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


class _Contacts:
    """Phones, emails and languages read for each person, with a warning for each bad one."""

    def __init__(self, bundle: Bundle, existing: Existing, report: _Report) -> None:
        self.bundle = bundle
        self.report = report
        self.countries = {
            sid: existing.schools[sid].country if sid in existing.schools else DEFAULT_COUNTRY
            for sid in bundle.schools
        }
        self.default_country = existing.first_school_country
        self.languages: dict[str, str | None] = {}
        self.staff: dict[str, Contact] = {}
        self.guardians: dict[str, Contact] = {}

    def read_all(self) -> None:
        """Read everyone's details up front, so a rejected bundle lists these warnings too."""
        children: dict[str, list[str]] = {}
        for guardian, student in sorted(self.bundle.links):
            children.setdefault(guardian, []).append(student)
        for student in self.bundle.students.values():
            self.language_of(student)
        self.staff = {
            sid: self.read(user, self.country_of(user)) for sid, user in self.bundle.staff.items()
        }
        self.guardians = {
            sid: self.for_guardian(user, children.get(sid, []))
            for sid, user in self.bundle.guardians.items()
        }

    def country_of(self, user: UserRow) -> str:
        schools = [org for org in user.orgs if org in self.countries]
        return self.countries[schools[0]] if schools else self.default_country

    def country_of_family(self, user: UserRow, children: list[str]) -> str:
        # A family's numbers are read as written in their child's school's country.
        for child in children:
            if child in self.bundle.student_school:
                return self.countries[self.bundle.student_school[child]]
        return self.country_of(user)

    def language_of(self, user: UserRow) -> str | None:
        if user.sourced_id not in self.languages:
            code = normalise_language(user.language) if user.language else None
            if user.language and code is None:
                self.report.warn(
                    "users.csv",
                    user.line,
                    user.language_column,
                    _("Unknown language “%(value)s”; the language is left as it was.")
                    % {"value": user.language},
                )
            self.languages[user.sourced_id] = code
        return self.languages[user.sourced_id]

    def read(self, user: UserRow, country: str) -> Contact:
        contact = Contact()
        if user.phone:
            e164 = normalise_phone(user.phone, country)
            if e164 is None:
                contact.phone_unreadable = True
                self.report.warn(
                    "users.csv",
                    user.line,
                    user.phone_column,
                    _("“%(value)s” is not a phone number in %(country)s; imported without it.")
                    % {"value": user.phone, "country": country},
                )
            else:
                contact.phone = e164
                contact.can_text = user.phone_column == "sms" or _is_mobile(e164)
        if user.email:
            try:
                validate_email(user.email)
                contact.email = user.email
            except ValidationError:
                contact.email_unreadable = True
                self.report.warn(
                    "users.csv",
                    user.line,
                    "email",
                    _("“%(value)s” is not an email address; imported without it.")
                    % {"value": user.email},
                )
        return contact

    def for_guardian(self, user: UserRow, children: list[str]) -> Contact:
        contact = self.read(user, self.country_of_family(user, children))
        contact.language = self.language_of(user) if user.language else None
        if contact.language is None and not user.language:
            # SIS exports often keep the home language on the child's row only.
            for child in children:
                student = self.bundle.students.get(child)
                if student and student.language and self.language_of(student):
                    contact.language = self.language_of(student)
                    break
        return contact
