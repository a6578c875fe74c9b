"""Background tasks of the outbox. They receive ids, never objects, and keep no state."""

from django_tasks import task

from . import outbox


@task()
def deliver(delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries (those still due and not taken by another worker)."""
    return outbox.deliver(delivery_ids)


@task()
def sweep() -> dict[str, int]:
    """Put stuck, held and forgotten deliveries back on their way (run it every minute)."""
    return outbox.sweep()


@task()
def fetch_attachment(attachment_id: int) -> str:
    """Fetch a photo or file a family texted from the provider and keep it."""
    from . import attachments

    return attachments.fetch_and_store(attachment_id)
