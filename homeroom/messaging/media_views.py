"""Photos and files families sent, served only to the people of their conversation."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from .access import messages_for
from .models import Attachment


@login_required
def attachment(request, pk: int):
    item = (
        Attachment.objects.filter(
            pk=pk,
            status=Attachment.Status.STORED,
            message__in=messages_for(request.user),
        )
        .only("file", "content_type")
        .first()
    )
    if item is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=not item.shows_inline,
        filename=item.file.name.rsplit("/", 1)[-1],
    )
    # Whatever the bytes claim to be, the browser treats them as inert content.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
