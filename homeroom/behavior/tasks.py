"""Background work of recognition. Tasks receive ids, never objects.

`sweep` belongs in the periodic sweep beside the outbox's (every few minutes): it sends the
digests that are due and, once a day in effect, removes moments past their school's retention.
`manage.py sweep_moments` runs it once.
"""

from django_tasks import task

from . import services


@task()
def notify_moments(moment_ids: list[int]) -> int:
    """Good news reaches the families who asked to hear of each moment at once."""
    return services.notify_at_once(moment_ids)


@task()
def send_moment_digests() -> int:
    return services.send_moment_digests()


@task()
def purge_old_moments() -> int:
    return services.purge_old_moments()


@task()
def sweep() -> dict[str, int]:
    return {
        "digests": services.send_moment_digests(),
        "purged": services.purge_old_moments(),
    }
