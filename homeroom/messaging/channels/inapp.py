"""In the app: the message is already there when the family opens Homeroom.

Nothing travels, so the delivery counts as sent at once; it becomes read when the family
opens the conversation (services.mark_read).
"""

from typing import TYPE_CHECKING

from .base import Channel, Rendered, SendResult

if TYPE_CHECKING:
    from ..models import Delivery


class InAppChannel(Channel):
    name = "app"

    def send(self, delivery: "Delivery", rendered: Rendered) -> SendResult:
        return SendResult()
