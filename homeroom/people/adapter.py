"""allauth, fitted to Homeroom: nobody signs up (people come from the roster and invitations);
guardians get their sign-in code on their phone or by email, in their language."""

import phonenumbers
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from phonenumber_field.phonenumber import to_python

from homeroom.transports import outbound

from .middleware import interface_language
from .models import User


def _language_of(user) -> str:
    guardian = getattr(user, "guardian", None) if user is not None else None
    return interface_language(guardian.language if guardian else "en")


class NationalPhoneField(forms.CharField):
    """A phone number as people write it: "(612) 555-0111", "612.555.0111" or "+1 612 555 0111".

    Numbers without a country code are read in the default region; allauth receives E.164,
    the form numbers are stored in, so the lookup matches whatever the family typed.
    """

    default_error_messages = {
        "invalid_phone": _("Enter a mobile number such as (612) 555-0111."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile phone number"))
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        )
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(self.error_messages["invalid_phone"], code="invalid_phone")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class AccountAdapter(DefaultAccountAdapter):
    # Families read these on the sign-in pages: plain words, in their language.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "incorrect_code": _("That code is not right. Check the message and try again."),
        "too_many_login_attempts": _(
            "Too many tries. Wait a few minutes, then ask for a new code."
        ),
        "select_only_one": _("Enter a phone number or an email address, not both."),
        "email_password_mismatch": _("The email address or password is not right."),
        "account_inactive": _("This account is turned off. Please contact the school office."),
        "rate_limited": _("Too many requests. Wait a minute and try again."),
    }

    def is_open_for_signup(self, request):
        return False

    def post_login(self, request, user, **kwargs):
        # A password typed a moment ago is as fresh as one typed again: an admin sent straight
        # from sign-in to set up two-factor is not asked for it twice. Later, allauth's usual
        # re-authentication applies.
        records = get_authentication_records(request, user)
        if records and records[-1].get("method") == "password":
            record_authentication(request, user, method="password", reauthenticated=True)
        return super().post_login(request, user, **kwargs)

    def add_message(self, request, level, message_template=None, *args, **kwargs):
        # The page a person lands on greets them by name; "you are signed in" only adds noise,
        # and it would be rendered before we know which language the reader reads.
        if message_template == "account/messages/logged_in.txt":
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def format_email_subject(self, subject: str) -> str:
        # The subject already names Homeroom; a "[host]" prefix only adds noise on a phone.
        return str(subject)

    def send_mail(self, template_prefix, email, context):
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        with translation.override(_language_of(user)):
            subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
            body = render_to_string(f"{template_prefix}_message.txt", context).strip()
        # Sent by a worker: a known address and an unknown one (allauth mails that too) take
        # the request the same time.
        outbound.send_later(
            "email",
            email,
            body,
            subject=self.format_email_subject(subject),
            kind=template_prefix.rsplit("/", 1)[-1],
        )

    def phone_form_field(self, **kwargs):
        return NationalPhoneField(**kwargs)

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        with translation.override(_language_of(user)):
            body = render_to_string("people/sms/login_code.txt", {"code": code}).strip()
        outbound.send_later("sms", str(phone), body, kind="login_code")

    def send_unknown_account_sms(self, phone, **kwargs):
        # Enumeration prevention: say nothing to a number we do not know, and take as long
        # not saying it as a known number takes to be sent its code.
        outbound.send_nothing_later("sms", kind="login_code")

    def set_phone(self, user, phone, verified):
        user.phone = phone
        user.save(update_fields=["phone"])

    def get_phone(self, user):
        return (str(user.phone), True) if user.phone else None

    def set_phone_verified(self, user, phone):
        return None

    def get_user_by_phone(self, phone):
        number = to_python(phone)
        if number is None or not number.is_valid():
            return None
        return User.objects.filter(phone=number, is_active=True).first()
