"""allauth, fitted to Homeroom: nobody signs up (people come from the roster and invitations);
guardians get their sign-in code on their phone or by email, in their language."""

from allauth.account.adapter import DefaultAccountAdapter
from django.template.loader import render_to_string
from django.utils import translation
from phonenumber_field.phonenumber import to_python

from homeroom.messaging import outbound

from .middleware import interface_language
from .models import User


def _language_of(user) -> str:
    guardian = getattr(user, "guardian", None) if user is not None else None
    return interface_language(guardian.language if guardian else "en")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix, email, context):
        user = context.get("user") or User.objects.filter(email__iexact=email).first()
        with translation.override(_language_of(user)):
            subject = render_to_string(f"{template_prefix}_subject.txt", context).strip()
            body = render_to_string(f"{template_prefix}_message.txt", context).strip()
        outbound.send(
            "email",
            email,
            body,
            subject=self.format_email_subject(subject),
            kind=template_prefix.rsplit("/", 1)[-1],
        )

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        with translation.override(_language_of(user)):
            body = render_to_string("people/sms/login_code.txt", {"code": code}).strip()
        outbound.send("sms", str(phone), body, kind="login_code")

    def send_unknown_account_sms(self, phone, **kwargs):
        # Enumeration prevention: say nothing to a number we do not know.
        return None

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
