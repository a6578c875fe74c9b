"""A family texts a photo (MMS): nothing is lost, and only the conversation's people see it.

Twilio posts NumMedia with MediaUrlN / MediaContentTypeN; the files stay on Twilio until a
task fetches each with the account's credentials, keeps it, and deletes Twilio's copy. The
local server in testing/servers.py speaks that part of Twilio's API (GET and DELETE of a Media
resource) with HTTP basic auth.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.messaging import attachments, outbox
from homeroom.messaging.models import Attachment, Conversation, InboundEvent, Message

from .builders import (
    JPEG,
    PDF,
    new_sid,
    private_thread,
    signed_post,
    sms_delivery,
    staff_wrote,
    twilio_fields,
)

pytestmark = pytest.mark.urls("homeroom.messaging.tests.sms_urls")

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def provider(settings, twilio_server):
    """Inbound texts signed with the local Twilio's token, media fetched from it."""
    settings.PUBLIC_BASE_URL = "https://homeroom.example"
    settings.OUTBOX_STUCK_AFTER_SECONDS = 300
    return twilio_server


def mms(provider, phone: str, *files: tuple[bytes, str], body: str = "", **extra) -> dict:
    sid = "MM" + new_sid()[2:]
    fields = twilio_fields(body, phone, sid=sid, NumMedia=str(len(files)), **extra)
    for index, (data, content_type) in enumerate(files):
        fields[f"MediaUrl{index}"] = provider.add_media(data, content_type, message_sid=sid)
        fields[f"MediaContentType{index}"] = content_type
    return fields


def texted_thread(world):
    """Ms Rivera's thread about Ana, which last texted Rosa: Rosa's texts land in it."""
    conversation = private_thread(world, world.rosa)
    sms_delivery(staff_wrote(conversation, world.rivera), world.rosa, days_ago=0.5)
    return conversation


def post(client, provider, fields):
    return signed_post(client, fields, token=provider.auth_token)


def test_a_photo_alone_is_threaded_kept_and_removed_from_the_provider(
    client, world, provider, django_capture_on_commit_callbacks
):
    conversation = texted_thread(world)
    fields = mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg"))

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, provider, fields)

    assert response.status_code == 200
    message = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert message.author_guardian == world.rosa and message.body == ""
    assert not message.translations.exists()  # no words, nothing to translate
    item = Attachment.objects.get(message=message)
    assert item.status == Attachment.Status.STORED
    assert item.content_type == "image/jpeg" and item.size == len(JPEG)
    assert item.file.read() == JPEG
    assert provider.media_deleted == [fields["MediaUrl0"].removeprefix(provider.url)]
    assert InboundEvent.objects.get(provider_id=fields["MessageSid"]).message == message


def test_words_and_a_photo_keep_both_and_the_words_are_translated(
    client,
    world,
    provider,
    apertium,
    django_capture_on_commit_callbacks,
):
    conversation = texted_thread(world)
    fields = mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg"), body="Aquí está la tarea.")

    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, fields)

    message = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert message.body == "Aquí está la tarea."
    assert message.translations.get(language="en").text
    assert message.attachments.get().status == Attachment.Status.STORED


def test_the_teacher_sees_the_photo_in_the_conversation(
    client, world, provider, login, django_capture_on_commit_callbacks
):
    conversation = texted_thread(world)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))
    item = Attachment.objects.get()
    url = reverse("attachment", args=[item.pk])

    page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    assert f'src="{url}"' in page.content.decode()
    assert "Photo sent by Rosa Lopez" in page.content.decode()

    photo = client.get(url)
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content) == JPEG
    assert "sandbox" in photo["Content-Security-Policy"]
    assert not photo.get("Content-Disposition", "").startswith("attachment")


@pytest.mark.parametrize("who", ["chen", "south_admin", "gina", "elsewhere_admin"])
def test_people_outside_the_conversation_get_a_404(
    client, world, provider, login, who, django_capture_on_commit_callbacks
):
    texted_thread(world)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))
    url = reverse("attachment", args=[Attachment.objects.get().pk])

    assert login(getattr(world, who)).get(url).status_code == 404


def test_the_family_and_the_schools_leaders_may_open_it_and_strangers_must_sign_in(
    client, world, provider, login, django_capture_on_commit_callbacks
):
    texted_thread(world)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))
    url = reverse("attachment", args=[Attachment.objects.get().pk])

    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    assert login(world.rosa).get(url).status_code == 200
    client.logout()
    assert login(world.principal).get(url).status_code == 200
    assert client.get(reverse("attachment", args=[999_999])).status_code == 404


def test_a_pdf_is_offered_as_a_download(
    client, world, provider, login, django_capture_on_commit_callbacks
):
    texted_thread(world)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, mms(provider, str(world.rosa.phone), (PDF, "application/pdf")))
    item = Attachment.objects.get()

    response = login(world.rivera).get(reverse("attachment", args=[item.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_kind_of_file_we_do_not_keep_is_recorded_but_never_fetched(
    client, world, provider, login, django_capture_on_commit_callbacks
):
    conversation = texted_thread(world)
    fields = mms(provider, str(world.rosa.phone), (b"<script>alert(1)</script>", "text/html"))

    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, fields)

    item = Attachment.objects.get()
    assert item.status == Attachment.Status.REFUSED
    assert provider.media_fetches == []
    page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    assert "Homeroom does not keep (text/html)" in page.content.decode()
    assert client.get(reverse("attachment", args=[item.pk])).status_code == 404


def test_a_provider_that_fails_is_tried_again_later_and_the_page_says_it_is_coming(
    client, world, provider, login, django_capture_on_commit_callbacks
):
    conversation = texted_thread(world)
    provider.media_statuses.extend([500])
    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))

    item = Attachment.objects.get()
    assert item.status == Attachment.Status.PENDING and item.attempts == 1
    assert "500" in item.error and item.retry_at > timezone.now()
    page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    assert "is on its way" in page.content.decode()

    assert attachments.fetch_and_store(item.pk) == Attachment.Status.STORED
    item.refresh_from_db()
    assert item.file.read() == JPEG and item.attempts == 2


def test_a_fetch_that_never_works_gives_up_and_says_so(client, world, provider, login):
    conversation = texted_thread(world)
    post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))
    item = Attachment.objects.get()
    provider.media_statuses.extend([500] * attachments.MAX_ATTEMPTS)

    outcomes = [attachments.fetch_and_store(item.pk) for _ in range(attachments.MAX_ATTEMPTS)]

    assert outcomes[-1] == Attachment.Status.FAILED
    assert set(outcomes[:-1]) == {Attachment.Status.PENDING}
    page = login(world.rivera).get(reverse("conversation", args=[conversation.pk]))
    assert "could not be fetched" in page.content.decode()


def test_a_file_gone_from_the_provider_or_too_large_fails_at_once(client, world, provider):
    texted_thread(world)
    big = JPEG + b"\0" * (attachments.MAX_BYTES + 1)
    post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))
    post(client, provider, mms(provider, str(world.rosa.phone), (big, "image/jpeg")))
    gone, large = Attachment.objects.order_by("pk")
    provider.media.clear()
    provider.add_media(big, "image/jpeg")  # not at `gone`'s address
    provider.media[large.source_url.removeprefix(provider.url)] = (big, "image/jpeg")

    assert attachments.fetch_and_store(gone.pk) == Attachment.Status.FAILED
    assert attachments.fetch_and_store(large.pk) == Attachment.Status.FAILED
    gone.refresh_from_db()
    large.refresh_from_db()
    assert "404" in gone.error
    assert "larger than 5 MB" in large.error
    assert not gone.file and not large.file


def test_the_sweep_queues_a_fetch_whose_task_was_lost(client, world, provider):
    texted_thread(world)
    post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))
    item = Attachment.objects.get()
    assert item.status == Attachment.Status.PENDING  # its task never ran (no commit)

    assert outbox.sweep()["media"] == 0  # too recent: its task may still come
    long_ago = timezone.now() - timedelta(minutes=10)
    Attachment.objects.filter(pk=item.pk).update(retry_at=long_ago, updated_at=long_ago)
    assert outbox.sweep()["media"] == 1  # the immediate backend runs it at once

    item.refresh_from_db()
    assert item.status == Attachment.Status.STORED


@pytest.mark.parametrize(
    "change, problem",
    [
        ({"MediaUrl0": "https://evil.example/2010-04-01/x.jpg"}, "not an address of the provider"),
        ({"MediaUrl0": ""}, "MediaUrl0 and MediaContentType0 are needed"),
        ({"NumMedia": "11"}, "NumMedia is at most 10"),
        ({"NumMedia": "0"}, "Body is empty"),
    ],
)
def test_a_malformed_mms_is_refused_and_changes_nothing(client, world, provider, change, problem):
    texted_thread(world)
    fields = {**mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")), **change}

    response = post(client, provider, fields)

    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not Message.objects.filter(author_guardian__isnull=False).exists()
    assert not Attachment.objects.exists()
    assert not InboundEvent.objects.exists()


def test_a_photo_answering_an_announcement_opens_a_private_thread(
    client, world, provider, django_capture_on_commit_callbacks
):
    from homeroom.messaging import services
    from homeroom.messaging.services import Audience

    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.send_announcement(
            by_staff=world.rivera,
            audience=Audience(kind="section", section_id=world.math.pk),
            text="Picture day is Friday.",
        )
    with django_capture_on_commit_callbacks(execute=True):
        post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))

    private = Conversation.objects.get(reply_to_announcement=announcement)
    message = Message.objects.get(conversation=private)
    assert message.body == "" and message.author_guardian == world.rosa
    assert message.attachments.get().status == Attachment.Status.STORED


def test_the_inbox_says_a_photo_came_when_it_came_without_words(client, world, provider, login):
    texted_thread(world)
    post(client, provider, mms(provider, str(world.rosa.phone), (JPEG, "image/jpeg")))

    inbox = login(world.rivera).get(reverse("inbox")).content.decode()
    assert "Family:</span> Sent a photo or a file." in inbox


# -- in the app: a family adds a photo to a reply ----------------------------------------------


def _upload(name, data, content_type="image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_family_adds_a_photo_to_a_reply_in_the_app(world, login):
    conversation = private_thread(world, world.rosa)
    url = reverse("conversation", args=[conversation.pk])

    response = login(world.rosa).post(url, {"text": "", "photo": _upload("tarea.jpg", JPEG)})

    assert response.status_code == 302
    message = Message.objects.get(conversation=conversation, author_guardian=world.rosa)
    assert message.body == "" and message.channel == "app"
    item = message.attachments.get()
    assert (item.status, item.content_type, item.file.read()) == ("stored", "image/jpeg", JPEG)
    client = login(world.rivera)
    assert client.get(reverse("attachment", args=[item.pk])).status_code == 200


def test_the_type_comes_from_the_bytes_not_the_name(world, login):
    conversation = private_thread(world, world.marco)
    url = reverse("conversation", args=[conversation.pk])

    response = login(world.marco).post(
        url, {"text": "Mire", "photo": _upload("foto.jpg", b"<html><script>x</script>")}
    )

    assert response.status_code == 200
    assert "this file is neither" in response.content.decode()
    assert not Message.objects.filter(author_guardian=world.marco).exists()
    assert not Attachment.objects.exists()


def test_a_photo_over_5_mb_is_refused_and_nothing_is_stored(world, login):
    conversation = private_thread(world, world.marco)
    big = JPEG + b"\0" * (attachments.MAX_BYTES + 1)

    response = login(world.marco).post(
        reverse("conversation", args=[conversation.pk]), {"photo": _upload("big.jpg", big)}
    )

    assert "larger than 5 MB" in response.content.decode()
    assert not Message.objects.filter(author_guardian=world.marco).exists()


def test_neither_words_nor_a_photo_asks_for_a_message(world, login):
    conversation = private_thread(world, world.marco)

    response = login(world.marco).post(
        reverse("conversation", args=[conversation.pk]), {"text": "  "}
    )

    assert "Write a message first." in response.content.decode()
    assert not Message.objects.filter(author_guardian=world.marco).exists()


def test_the_htmx_answer_shows_the_photo_just_sent(world, login):
    conversation = private_thread(world, world.rosa)

    response = login(world.rosa).post(
        reverse("conversation", args=[conversation.pk]),
        {"text": "La tarea", "photo": _upload("t.png", PNG, "image/png")},
        HTTP_HX_REQUEST="true",
    )

    item = Attachment.objects.get()
    assert item.content_type == "image/png"
    assert f'src="{reverse("attachment", args=[item.pk])}"' in response.content.decode()


@pytest.mark.parametrize(
    "head, kind",
    [
        (JPEG[:16], "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
        (b"GIF89a\x01\0\x01\0", "image/gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"\0\0\0\x18ftypheic\0\0\0\0", "image/heic"),
        (PDF[:16], "application/pdf"),
        (b"<svg xmlns=", None),
        (b"MZ\x90\0", None),
    ],
)
def test_sniffing(head, kind):
    from homeroom.messaging.forms import sniff_type

    assert sniff_type(head) == kind
