"""Photos and files that families send with a message (pictures texted by MMS).

A text's media stays on the provider until we fetch it: `record` writes one Attachment per
item with the message, and a task fetches each (`fetch`), keeps it in the default storage,
and asks the provider to delete its copy, since a child's picture should live in one place.
A transient failure is retried with backoff; the outbox sweep picks up any fetch whose task
was lost. Kinds of file we do not keep are recorded as refused, never fetched, so staff still
see that something was sent.
"""

from __future__ import annotations

import logging
import mimetypes
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Attachment, Message

logger = logging.getLogger(__name__)

Status = Attachment.Status

KEPT_TYPES = Attachment.SHOWN_TYPES | {
    "image/heic",
    "image/heif",
    "application/pdf",
    "video/mp4",
    "video/3gpp",
    "video/quicktime",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
    "audio/amr",
    "audio/ogg",
}
# Twilio accepts at most 5 MB of media per MMS; anything larger is not a texted file.
MAX_BYTES = 5 * 1024 * 1024
MAX_PER_MESSAGE = 10
MAX_ATTEMPTS = 6
RETRY_BASE = timedelta(seconds=30)
TWILIO_API = "https://api.twilio.com"


@dataclass(frozen=True)
class IncomingMedia:
    """A file that came with a reply: at the provider's `url` (MMS), or already in hand as
    `data` (an email's attachment)."""

    content_type: str
    url: str = ""
    data: bytes | None = None


class TransientFetchError(Exception):
    """The provider could not hand the file over now; try again later."""


class PermanentFetchError(Exception):
    """The file will never come: say why and stop trying."""


def base_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def record(message: Message, media: list[IncomingMedia]) -> list[Attachment]:
    """One row per item, written in the caller's transaction; fetching starts on commit."""
    rows = []
    for item in media[:MAX_PER_MESSAGE]:
        kind = base_type(item.content_type)
        row = Attachment(message=message, content_type=kind[:100], source_url=item.url[:500])
        if kind not in KEPT_TYPES:
            row.status = Status.REFUSED
            row.error = f"Files of type {kind or 'unknown'} are not kept."
        elif item.data is not None:
            _keep_in_hand(row, item.data)
        rows.append(row)
    rows = Attachment.objects.bulk_create(rows)
    pending = [row.pk for row in rows if row.status == Status.PENDING]
    if pending:
        transaction.on_commit(lambda: enqueue(pending))
    return rows


def _keep_in_hand(row: Attachment, data: bytes) -> None:
    if len(data) > MAX_BYTES:
        row.status = Status.FAILED
        row.error = "The file is larger than 5 MB."
        return
    name = f"{row.message_id}-{secrets.token_hex(4)}{_extension(row.content_type)}"
    row.file.save(name, ContentFile(data), save=False)
    row.size = len(data)
    row.status = Status.STORED


def enqueue(ids: list[int], *, run_after: datetime | None = None) -> None:
    job = fetch_attachment
    if run_after is not None:
        if not job.get_backend().supports_defer:
            return  # the sweep queues it once it is due
        job = job.using(run_after=run_after)
    for pk in ids:
        job.enqueue(pk)


def fetch_and_store(attachment_id: int) -> str:
    """Fetch one pending attachment; returns its status afterwards."""
    attachment = Attachment.objects.filter(pk=attachment_id, status=Status.PENDING).first()
    if attachment is None:
        return "gone"
    attempt = attachment.attempts + 1
    # Counting the attempt first means a fetch that kills its worker is not retried forever.
    Attachment.objects.filter(pk=attachment.pk).update(attempts=attempt, updated_at=timezone.now())
    try:
        data, content_type = _download(attachment.source_url, attachment.content_type)
    except PermanentFetchError as exc:
        _finish(attachment, Status.FAILED, error=str(exc))
        return Status.FAILED
    except TransientFetchError as exc:
        if attempt >= MAX_ATTEMPTS:
            _finish(attachment, Status.FAILED, error=f"Gave up after {attempt} tries: {exc}")
            return Status.FAILED
        due = timezone.now() + RETRY_BASE * 2 ** (attempt - 1)
        Attachment.objects.filter(pk=attachment.pk).update(error=str(exc)[:300], retry_at=due)
        enqueue([attachment.pk], run_after=due)
        return Status.PENDING
    name = f"{attachment.message_id}-{attachment.pk}{_extension(content_type)}"
    attachment.file.save(name, ContentFile(data), save=False)
    updated = Attachment.objects.filter(pk=attachment.pk, status=Status.PENDING).update(
        file=attachment.file.name,
        size=len(data),
        content_type=content_type,
        status=Status.STORED,
        error="",
    )
    if not updated:  # another worker kept it first
        attachment.file.storage.delete(attachment.file.name)
        return "gone"
    _delete_at_provider(attachment.source_url)
    return Status.STORED


def due_for_retry(now: datetime) -> list[int]:
    """Pending fetches whose task was lost (the sweep queues them again)."""
    stale = now - timedelta(seconds=settings.OUTBOX_STUCK_AFTER_SECONDS)
    return list(
        Attachment.objects.filter(status=Status.PENDING, retry_at__lte=stale, updated_at__lte=stale)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


# -- talking to the provider -----------------------------------------------------------------


def _provider_base() -> str:
    return (settings.TWILIO_API_BASE_URL or TWILIO_API).rstrip("/")


def _credentials() -> tuple[str, str]:
    return settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN


def is_provider_url(url: str) -> bool:
    """Only the provider's own media addresses are fetched, with its credentials."""
    base = urlsplit(_provider_base())
    target = urlsplit(url)
    return (
        target.scheme == base.scheme
        and target.netloc == base.netloc
        and target.path.startswith(f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/")
    )


def _download(url: str, declared: str) -> tuple[bytes, str]:
    if not is_provider_url(url):
        raise PermanentFetchError("The file's address is not the SMS provider's.")
    try:
        # requests drops the credentials if the provider redirects to another host (its CDN).
        with requests.get(
            url, auth=_credentials(), timeout=settings.TWILIO_TIMEOUT, stream=True
        ) as response:
            if response.status_code in (408, 429) or response.status_code >= 500:
                raise TransientFetchError(f"The provider answered {response.status_code}.")
            if response.status_code >= 400:
                raise PermanentFetchError(
                    f"The provider answered {response.status_code}: the file is not there."
                )
            content_type = base_type(response.headers.get("Content-Type", "")) or declared
            if content_type not in KEPT_TYPES:
                raise PermanentFetchError(f"Files of type {content_type} are not kept.")
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > MAX_BYTES:
                    raise PermanentFetchError("The file is larger than 5 MB.")
    except requests.RequestException as exc:
        reason = f"The provider could not be reached ({type(exc).__name__})."
        raise TransientFetchError(reason) from exc
    return bytes(data), content_type


def _delete_at_provider(url: str) -> None:
    try:
        response = requests.delete(url, auth=_credentials(), timeout=settings.TWILIO_TIMEOUT)
    except requests.RequestException as exc:
        logger.warning("media kept by the provider, delete failed: %s", type(exc).__name__)
        return
    if response.status_code >= 400 and response.status_code != 404:
        logger.warning("media kept by the provider, delete answered %s", response.status_code)


def _finish(attachment: Attachment, status: str, *, error: str = "") -> None:
    Attachment.objects.filter(pk=attachment.pk, status=Status.PENDING).update(
        status=status, error=error[:300]
    )


def _extension(content_type: str) -> str:
    known = {"image/jpeg": ".jpg", "audio/mpeg": ".mp3", "video/quicktime": ".mov"}
    return known.get(content_type) or mimetypes.guess_extension(content_type) or ""


@task()
def fetch_attachment(attachment_id: int) -> str:
    """Fetch a photo or file a family texted from the provider and keep it (a background task:
    it receives an id)."""
    return fetch_and_store(attachment_id)
