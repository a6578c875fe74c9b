"""Rows and requests that several messaging test modules build: threads, announcements,
classrooms of families, signed Twilio posts, the smallest real files a phone sends."""

import uuid
from datetime import timedelta

from django.utils import timezone
from twilio.request_validator import RequestValidator

from homeroom.messaging.models import (
    Conversation,
    Delivery,
    Message,
    Participant,
)
from homeroom.people.models import Enrollment, Guardian, Guardianship, Student


def private_thread(world, *guardians, staff=None, student=None, days_ago=1) -> Conversation:
    """A private conversation a teacher started about a student, with some of its family."""
    started = timezone.now() - timedelta(days=days_ago)
    conversation = Conversation.objects.create(
        school=world.north,
        student=student or world.ana,
        started_by=Conversation.StartedBy.SCHOOL,
        subject="Ana's week",
        created_at=started,
        last_message_at=started,
    )
    for member in staff or [world.rivera]:
        Participant.objects.create(conversation=conversation, staff=member, last_read_at=started)
    for guardian in guardians or (world.rosa,):
        Participant.objects.create(conversation=conversation, guardian=guardian)
    return conversation


def thread(world, student, staff, guardians, *, text="Hello", days_ago=1) -> Conversation:
    """A private conversation a staff member started about a student, written as rows."""
    at = timezone.now() - timedelta(days=days_ago)
    conversation = Conversation.objects.create(
        school=student.school,
        student=student,
        started_by=Conversation.StartedBy.SCHOOL,
        created_at=at,
        last_message_at=at,
    )
    Participant.objects.create(conversation=conversation, staff=staff, last_read_at=at)
    for guardian in guardians:
        Participant.objects.create(conversation=conversation, guardian=guardian)
    Message.objects.create(
        conversation=conversation, author_staff=staff, body=text, language="en", created_at=at
    )
    return conversation


def announcement(world, staff, section, guardians) -> Conversation:
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.ANNOUNCEMENT,
        school=section.school,
        section=section,
        audience={"kind": "section", "section": section.pk, "school": section.school_id},
        started_by=Conversation.StartedBy.SCHOOL,
    )
    Participant.objects.create(conversation=conversation, staff=staff)
    for guardian in guardians:
        Participant.objects.create(conversation=conversation, guardian=guardian)
    Message.objects.create(
        conversation=conversation, author_staff=staff, body="Field trip", language="en"
    )
    return conversation


def add_families(world, section, count, *, language="es", channel="sms", start=0):
    guardians = []
    for n in range(start, start + count):
        student = Student.objects.create(
            school=section.school, given_name=f"Kid{n}", family_name=f"Family{n}", grade="6"
        )
        Enrollment.objects.create(section=section, student=student)
        guardian = Guardian.objects.create(
            district=world.district,
            given_name=f"Parent{n}",
            family_name=f"Family{n}",
            language=language,
            channel=channel,
            phone=f"+1651555{n:04d}",
            email=f"parent{n}@family.example",
        )
        Guardianship.objects.create(guardian=guardian, student=student)
        guardians.append(guardian)
    return guardians


TOKEN = "test-auth-token-0123456789abcdef"


PUBLIC = "https://homeroom.example"


WEBHOOK = "/webhooks/twilio/sms"


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


def twilio_fields(body: str, phone: str, sid: str | None = None, **extra) -> dict:
    """What Twilio posts for one inbound text, geo fields and all."""
    return {
        "ToCountry": "US",
        "ToState": "MN",
        "SmsMessageSid": sid or new_sid(),
        "NumMedia": "0",
        "ToCity": "MINNEAPOLIS",
        "FromZip": "55401",
        "SmsSid": sid or new_sid(),
        "FromState": "MN",
        "SmsStatus": "received",
        "FromCity": "MINNEAPOLIS",
        "Body": body,
        "FromCountry": "US",
        "To": SCHOOL_NUMBER,
        "MessagingServiceSid": "MG" + "0" * 32,
        "ToZip": "55401",
        "NumSegments": "1",
        "MessageSid": sid or new_sid(),
        "AccountSid": "AC" + "0" * 32,
        "From": phone,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def signed_post(client, fields: dict, *, token: str = TOKEN, signature: str | None = None):
    if signature is None:
        signature = RequestValidator(token).compute_signature(PUBLIC + WEBHOOK, fields)
    return client.post(WEBHOOK, fields, HTTP_X_TWILIO_SIGNATURE=signature)


def sms_delivery(message: Message, guardian, *, days_ago: float) -> Delivery:
    return Delivery.objects.create(
        message=message,
        guardian=guardian,
        channel="sms",
        to_address=str(guardian.phone),
        status=Delivery.Status.DELIVERED,
        idempotency_key=uuid.uuid4().hex,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def staff_wrote(conversation, staff, text="Hello") -> Message:
    return Message.objects.create(
        conversation=conversation, author_staff=staff, body=text, language="en"
    )


# The smallest real JPEG and PNG a phone could send.
JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b"
    "0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ff"
    "c0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0b"
    "ffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a108"
    "2342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a53545556"
    "5758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9"
    "aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7"
    "f8f9faffda0008010100003f00fbd3ffd9"
)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


SCHOOL_NUMBER = "+16125550100"


def committed(call, *args, **kwargs):
    """Run `call` (receive_reply, a client's post…) and then its commit, as outside a test
    transaction: what it enqueues on commit runs (a family reply's translation for staff)."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return call(*args, **kwargs)
