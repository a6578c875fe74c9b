"""What became of each staff message: a delivery report per message, for the conversation page.

Counts over every recipient, and the first DELIVERY_DETAILS recipients one by one (problems
first); only the recipients messaging/access.py lets the reader see are counted and listed.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from . import access
from .models import Delivery

# Per message, the recipients listed one by one (problems first); the summary counts them all.
DELIVERY_DETAILS = 100

Status = Delivery.Status
REACHED = (Status.SENT, Status.DELIVERED, Status.READ)
ON_THE_WAY = (Status.QUEUED, Status.SENDING)


@dataclass
class Recipient:
    guardian: object
    attempts: list = field(default_factory=list)  # first try, then each fallback

    @property
    def final(self):
        return self.attempts[-1]

    @property
    def problem_rank(self) -> int:
        return _problem_rank(self.final.status)


@dataclass
class DeliveryReport:
    total: int = 0
    reached: int = 0
    held: int = 0
    on_the_way: int = 0
    failed: int = 0
    untranslated: int = 0
    held_until: datetime | None = None
    failures: dict = field(default_factory=dict)  # reason → how many
    recipients: list = field(default_factory=list)

    @property
    def all_reached(self) -> bool:
        return self.total > 0 and self.reached == self.total

    @property
    def failure_list(self):
        return sorted(self.failures.items(), key=lambda item: -item[1])

    @property
    def listed(self) -> int:
        return len(self.recipients)


def _problem_rank(status: str) -> int:
    return {Status.FAILED: 0, Status.HELD: 1, Status.QUEUED: 2, Status.SENDING: 2}.get(status, 3)


def attach_deliveries(staff_messages, viewer, conversation) -> None:
    """Each staff message gets `delivery`: counts over every recipient, and the first
    DELIVERY_DETAILS recipients one by one (problems first), in three queries in all.
    Only the recipients access lets this reader see are counted and listed."""
    ids = [m.pk for m in staff_messages]
    reports = {pk: DeliveryReport() for pk in ids}
    for message in staff_messages:
        message.delivery = reports[message.pk]
    if not ids:
        return
    listed = access.deliveries_listed_for(viewer, conversation)
    # The last delivery of each recipient (no fallback after it) says where they stand.
    final = Delivery.objects.filter(
        listed, message_id__in=ids, guardian__isnull=False, fallback__isnull=True
    )
    counts = (
        final.order_by()
        .values("message_id", "status", "last_error", "untranslated")
        .annotate(n=Count("pk"), until=Min("next_attempt_at"))
    )
    for row in counts:
        report = reports[row["message_id"]]
        n = row["n"]
        report.total += n
        if row["untranslated"]:
            report.untranslated += n
        status = row["status"]
        if status in REACHED:
            report.reached += n
        elif status == Status.HELD:
            report.held += n
            if report.held_until is None or row["until"] < report.held_until:
                report.held_until = row["until"]
        elif status == Status.FAILED:
            report.failed += n
            reason = row["last_error"] or _("No reason was given.")
            report.failures[reason] = report.failures.get(reason, 0) + n
        else:
            report.on_the_way += n
    problems_first = Case(
        When(status=Status.FAILED, then=Value(0)),
        When(status=Status.HELD, then=Value(1)),
        When(status__in=ON_THE_WAY, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    listed = (
        final.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("message_id")],
                order_by=[problems_first.asc(), F("guardian_id").asc()],
            )
        )
        .filter(rank__lte=DELIVERY_DETAILS)
        .values_list("message_id", "guardian_id")
    )
    wanted = defaultdict(set)
    for message_id, guardian_id in listed:
        wanted[message_id].add(guardian_id)
    if not wanted:
        return
    pairs = Q()
    for message_id, guardian_ids in wanted.items():
        pairs |= Q(message_id=message_id, guardian_id__in=guardian_ids)
    rows = (
        Delivery.objects.filter(pairs)
        .select_related("guardian")
        .order_by("message_id", "guardian_id", "created_at", "pk")
    )
    recipients = {}
    for delivery in rows:
        key = (delivery.message_id, delivery.guardian_id)
        if key not in recipients:
            recipients[key] = Recipient(guardian=delivery.guardian)
        recipients[key].attempts.append(delivery)
    for (message_id, _guardian_id), recipient in recipients.items():
        reports[message_id].recipients.append(recipient)
    for report in reports.values():
        report.recipients.sort(
            key=lambda r: (r.problem_rank, r.guardian.family_name, r.guardian.given_name)
        )
