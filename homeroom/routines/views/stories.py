""" "Tell me about your child": the family's page, and the class's invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from homeroom.forms import first_error
from homeroom.people import access

from .. import common
from .. import stories as family_stories
from ..forms import StoryForm
from ..models import STORY_MAX_CHARS
from .common import first_name, section_or_404


def _own_child(request, student_pk):
    """The signed-in guardian's own child (records allowed), or 404 for anyone else."""
    viewer = access.viewer_for(request.user)
    if not viewer.is_guardian:
        raise Http404
    link = (
        access.own_children_links(request.user)
        .filter(student_id=student_pk)
        .select_related("student__school")
        .first()
    )
    if link is None:
        raise Http404
    return viewer.guardian, link.student


@login_required
def story(request, student_pk):
    guardian, student = _own_child(request, student_pk)
    saved = family_stories.story_for(student, guardian)
    text = saved.text if saved else ""
    error = None
    if request.method == "POST":
        form = StoryForm(request.POST)
        text = form.data.get("text", "")
        try:
            if not form.is_valid():
                raise common.RoutineRefused(first_error(form))
            family_stories.save_story(student, guardian, form.cleaned_data["text"])
        except common.RoutineRefused as refusal:
            error = str(refusal)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your story is saved; you can come back and change it "
                    "this school year."
                ),
            )
            return redirect("routines:story", student.pk)
    return render(
        request,
        "routines/story.html",
        {
            "student": student,
            "first_name": first_name(student),
            "story": saved,
            "text": text,
            "error": error,
            "max_chars": STORY_MAX_CHARS,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def invite_stories(request, pk):
    staff, section = section_or_404(request, pk)
    result = family_stories.invite_family_stories(section, staff)
    messages.success(
        request,
        ngettext(
            "Invited the families of %(count)d student to tell us about their child.",
            "Invited the families of %(count)d students to tell us about their child.",
            result.sent,
        )
        % {"count": result.sent},
    )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(count)d family was invited already this school year.",
                "%(count)d families were invited already this school year.",
                result.already,
            )
            % {"count": result.already},
        )
    return redirect("routines:weekly", section.pk)
