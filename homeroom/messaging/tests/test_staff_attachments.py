"""A teacher adds a photo or a PDF to a message, as families can: checked by its bytes and
size, kept with the message, shown to the family in the conversation and served only to the
conversation's people; a text or an email says it is there, with the link."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from homeroom.messaging import attachments, outbox
from homeroom.messaging.models import Attachment, Conversation, Delivery, Message
from homeroom.testing.servers import NO_QUIET_HOURS

from .builders import JPEG, PDF, PUBLIC, private_thread
from .screens import _translation  # noqa: F401 (autouse: the engine these pages run with)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_teacher_adds_a_photo_to_a_reply_and_the_family_sees_it(world, login):
    conversation = private_thread(world, world.rosa)
    url = reverse("conversation", args=[conversation.pk])
    response = login(world.rivera).post(
        url, {"text": "Ana's drawing", "photo": upload("drawing.png", PNG, "image/png")}
    )
    assert response.status_code == 302
    message = Message.objects.get(conversation=conversation, author_staff=world.rivera)
    item = message.attachments.get()
    assert (item.status, item.content_type, item.file.read()) == ("stored", "image/png", PNG)

    family = login(world.rosa)
    page = family.get(url).content.decode()
    media_url = reverse("attachment", args=[item.pk])
    assert f'src="{media_url}"' in page
    assert family.get(media_url).status_code == 200


def test_a_teacher_sends_a_pdf_with_a_new_message(world, login):
    response = login(world.rivera).post(
        reverse("compose") + f"?student={world.ana.pk}",
        {"text": "The field trip form", "send": "1", "photo": upload("form.pdf", PDF)},
    )
    conversation = Conversation.objects.get()
    assert response["Location"] == reverse("conversation", args=[conversation.pk])
    item = Attachment.objects.get(message__conversation=conversation)
    assert item.content_type == "application/pdf" and item.status == "stored"
    download = login(world.marco).get(reverse("attachment", args=[item.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"<html><script>alert(1)</script>", "this file is neither"),
        (b"MZ\x90\x00 an executable", "this file is neither"),
        (JPEG + b"\0" * (attachments.MAX_BYTES + 1), "larger than 5 MB"),
    ],
)
def test_other_files_are_refused_and_nothing_is_saved(world, login, data, problem):
    client = login(world.rivera)
    reply = client.post(
        reverse("conversation", args=[private_thread(world, world.rosa).pk]),
        {"text": "Look", "photo": upload("photo.jpg", data, "image/jpeg")},
    )
    assert reply.status_code == 200 and problem in reply.content.decode()
    composed = client.post(
        reverse("compose") + f"?student={world.ana.pk}",
        {"text": "Look", "send": "1", "photo": upload("photo.jpg", data, "image/jpeg")},
    )
    assert composed.status_code == 200 and problem in composed.content.decode()
    assert not Message.objects.exists() and not Attachment.objects.exists()
    assert not Delivery.objects.exists()


def test_a_guardian_of_another_family_gets_a_404(world, login):
    conversation = private_thread(world, world.rosa)
    login(world.rivera).post(
        reverse("conversation", args=[conversation.pk]),
        {"text": "Ana's drawing", "photo": upload("drawing.png", PNG, "image/png")},
    )
    media_url = reverse("attachment", args=[Attachment.objects.get().pk])
    assert login(world.gina).get(media_url).status_code == 404
    assert login(world.olga).get(media_url).status_code == 404


@pytest.mark.urls("homeroom.messaging.tests.sms_urls")
def test_the_text_says_a_photo_comes_with_it_and_links_to_it(
    world, login, settings, tmp_path, messaging_settings
):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE = tmp_path / "sms.jsonl"
    settings.PUBLIC_BASE_URL = PUBLIC
    for field, value in NO_QUIET_HOURS.items():
        setattr(world.rosa, field, value)
    world.rosa.save()
    conversation = private_thread(world, world.rosa)
    with_photo = login(world.rivera).post(
        reverse("conversation", args=[conversation.pk]),
        {"text": "Ana's drawing", "photo": upload("drawing.png", PNG, "image/png")},
    )
    assert with_photo.status_code == 302
    outbox.deliver(list(Delivery.objects.values_list("pk", flat=True)))
    lines = settings.SMS_FILE.read_text().splitlines()
    (text,) = [json.loads(line) for line in lines if str(world.rosa.phone) in line]
    link = PUBLIC + reverse("conversation", args=[conversation.pk])
    assert f"(Viene con una foto o un archivo: {link})" in text["body"]
