"""Parent-led group pages: the school's groups, a group with its posts (and, for an academy,
its topics and sessions), its leaders (admins), its members (leaders and staff), and the
writes each role may make. Access is `voice.access`; a group or a row of it the user may not
see is a 404."""

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homeroom.forms import page_number
from homeroom.gatherings import access as gatherings_access
from homeroom.languages import STAFF_LANGUAGE, base_language, language_name, reading_language
from homeroom.people import access

from .. import access as voice_access
from ..models import GroupPost, Topic
from . import services
from .forms import (
    GroupForm,
    HideForm,
    LeaderForm,
    PostForm,
    RemoveLeaderForm,
    SessionForm,
    TopicForm,
)

POSTS_PER_PAGE = 20
MEMBERS_PER_PAGE = 50
TOPICS_SHOWN = 50


def _guardian_or_404(request):
    guardian = access.viewer_for(request.user).guardian
    if guardian is None:
        raise Http404
    return guardian


def _staff_or_404(request):
    staff = access.viewer_for(request.user).staff
    if staff is None:
        raise Http404
    return staff


def _reader_language(request) -> str:
    viewer = access.viewer_for(request.user)
    if viewer.guardian is not None and not viewer.is_staff_member:
        return base_language(viewer.guardian.language) or STAFF_LANGUAGE
    if viewer.staff is not None:
        return reading_language(viewer.staff)
    return STAFF_LANGUAGE


def _roles(request, group):
    """What the signed-in user is to the group, each asked of `voice.access`."""
    user = request.user
    is_staff = voice_access.is_staff_of_group(user, group)
    return {
        "is_staff": is_staff,
        "may_manage": is_staff and voice_access.may_manage_group(user, group),
        "is_leader": voice_access.is_parent_leader(user, group),
        "is_member": voice_access.is_member(user, group),
    }


def _member_group_or_404(request, pk):
    """A group whose members-only parts this family may open: a member's (or leader's)."""
    _guardian_or_404(request)
    group = voice_access.get_group_for(request.user, pk)
    if not voice_access.is_member(request.user, group):
        raise Http404
    return group


def _led_group_or_404(request, pk):
    _guardian_or_404(request)
    group = voice_access.get_group_for(request.user, pk)
    if not voice_access.is_parent_leader(request.user, group):
        raise Http404
    return group


@login_required
def group_list(request):
    viewer = access.viewer_for(request.user)
    if not (viewer.is_staff_member or viewer.is_guardian):
        raise Http404
    groups = list(
        voice_access.groups_for(request.user).select_related("school").order_by("name", "pk")[:100]
    )
    counts = services.member_counts(groups)
    joined = set()
    led = set()
    if viewer.guardian is not None:
        joined = set(
            voice_access.members_of_guardian(viewer.guardian, groups).values_list(
                "group_id", flat=True
            )
        )
        led = set(voice_access.groups_led_by(request.user).values_list("pk", flat=True))
    for group in groups:
        group.members = counts.get(group.pk, 0)
        group.joined = group.pk in joined
        group.led = group.pk in led
        group.language_names = [language_name(code) for code in group.languages]
    return render(
        request,
        "voice/groups/list.html",
        {
            "groups": groups,
            "may_create": viewer.is_staff_member and access.schools_managed_by(viewer).exists(),
        },
    )


@login_required
def group_new(request):
    staff = _staff_or_404(request)
    schools = access.schools_managed_by(access.viewer_for(request.user))
    if not schools.exists():
        raise Http404
    form = GroupForm(request.POST or None, schools=schools)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = services.create_group(
                    staff,
                    data["school"],
                    name=data["name"].strip(),
                    description=data["description"].strip(),
                    languages=data["languages"],
                    is_academy=data["is_academy"],
                )
            except services.GroupRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("The group is ready: now make a parent leader."))
                return redirect("groups:leaders", group.pk)
        status = 400
    return render(request, "voice/groups/new.html", {"form": form}, status=status)


@login_required
def group_detail(request, pk):
    return _render_detail(request, voice_access.get_group_for(request.user, pk))


def _render_detail(request, group, status=200, **forms):
    roles = _roles(request, group)
    reader = _reader_language(request)
    original = request.GET.get("original", "")
    sees_inside = roles["is_member"] or roles["is_staff"]
    page = posts = sessions = topics = None
    if sees_inside:
        page = Paginator(
            services.visible_posts(group, with_hidden=roles["is_staff"]), POSTS_PER_PAGE
        ).get_page(page_number(request))
        posts = []
        for post in page:
            version = services.post_in(post, reader)
            show_original = original == str(post.pk)
            post.shown = post.text if show_original else version.text
            post.translated = version.translated and not show_original
            post.show_original = show_original
            post.original_language = language_name(post.language)
            posts.append(post)
        if group.is_academy:
            sessions = list(
                gatherings_access.with_events_for(
                    request.user,
                    services.upcoming_sessions(group).select_related("topic"),
                    as_staff=roles["is_staff"],
                )[:20]
            )
            topics = list(services.topics_by_votes(group)[:TOPICS_SHOWN])
    return render(
        request,
        "voice/groups/detail.html",
        {
            "group": group,
            **roles,
            "sees_inside": sees_inside,
            "languages": [language_name(code) for code in group.languages],
            "leaders": [
                leader.guardian.full_name
                for leader in voice_access.leaders_of(group).select_related("guardian")
            ],
            "page": page,
            "posts": posts,
            "sessions": sessions,
            "topics": topics,
            # A leader's surveys of the group, newest first (one query, for leaders only).
            "group_surveys": list(
                voice_access.surveys_led_by(request.user)
                .filter(group=group)
                .order_by("-created_at", "-pk")[:20]
            )
            if roles["is_leader"]
            else [],
            # The group's events its leader organises (one query, for leaders only).
            "group_events": list(
                gatherings_access.events_co_organised_by(request.user)
                .filter(group=group)
                .order_by("-created_at", "-pk")[:20]
            )
            if roles["is_leader"]
            else [],
            "post_form": forms.get("post_form") or (PostForm() if roles["is_leader"] else None),
            "topic_form": forms.get("topic_form")
            or (TopicForm() if roles["is_member"] and group.is_academy else None),
            "hide_form": forms.get("hide_form") or (HideForm() if roles["is_staff"] else None),
        },
        status=status,
    )


@login_required
@require_POST
def group_join(request, pk):
    guardian = _guardian_or_404(request)
    group = voice_access.get_group_for(request.user, pk)
    if not voice_access.groups_for_family(request.user).filter(pk=group.pk).exists():
        raise Http404
    services.join(group, guardian)
    messages.success(request, _("You have joined the group."))
    return redirect("groups:detail", group.pk)


@login_required
@require_POST
def group_leave(request, pk):
    guardian = _guardian_or_404(request)
    group = _member_group_or_404(request, pk)
    services.leave(group, guardian)
    messages.success(request, _("You have left the group."))
    return redirect("groups:detail", group.pk)


@login_required
def group_leaders(request, pk):
    staff = _staff_or_404(request)
    group = voice_access.get_group_for(request.user, pk)
    if not voice_access.may_manage_group(request.user, group):
        raise Http404
    candidates = voice_access.leader_candidates(request.user, group)
    form = LeaderForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            guardian = form.cleaned_data["guardian"]
            services.appoint_leader(staff, group, guardian)
            messages.success(
                request,
                _("%(name)s is now a parent leader of %(group)s.")
                % {"name": guardian.full_name, "group": group.name},
            )
            return redirect("groups:leaders", group.pk)
        status = 400
    leaders = list(voice_access.leaders_of(group).select_related("guardian"))
    return render(
        request,
        "voice/groups/leaders.html",
        {"group": group, "form": form, "leaders": leaders},
        status=status,
    )


@login_required
@require_POST
def leader_remove(request, pk):
    _staff_or_404(request)
    group = voice_access.get_group_for(request.user, pk)
    if not voice_access.may_manage_group(request.user, group):
        raise Http404
    form = RemoveLeaderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from the list."))
        return redirect("groups:leaders", group.pk)
    leader = (
        voice_access.leaders_of(group).filter(guardian_id=form.cleaned_data["guardian"]).first()
    )
    if leader is None:
        raise Http404
    services.remove_leader(group, leader.guardian)
    messages.success(request, _("They no longer lead the group."))
    return redirect("groups:leaders", group.pk)


@login_required
def group_members(request, pk):
    """Members and the languages they read: no phone number, no email, not even to leaders."""
    group = voice_access.get_group_for(request.user, pk)
    if not (
        voice_access.is_parent_leader(request.user, group)
        or voice_access.is_staff_of_group(request.user, group)
    ):
        raise Http404
    members = (
        voice_access.members_of(group)
        .select_related("guardian")
        .only(
            "joined_at",
            "guardian__given_name",
            "guardian__family_name",
            "guardian__language",
        )
        .order_by("guardian__family_name", "guardian__given_name", "pk")
    )
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(page_number(request))
    rows = [
        {
            "name": m.guardian.full_name,
            "language": language_name(m.guardian.language),
            "since": m.joined_at,
        }
        for m in page
    ]
    return render(
        request, "voice/groups/members.html", {"group": group, "page": page, "rows": rows}
    )


@login_required
@require_POST
def post_create(request, pk):
    group = _led_group_or_404(request, pk)
    guardian = access.viewer_for(request.user).guardian
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            services.post_to_group(group, guardian, form.cleaned_data["text"].strip())
        except services.GroupRefused as refusal:
            form.add_error("text", str(refusal))
        else:
            messages.success(request, _("Your post has been sent to the group's members."))
            return redirect("groups:detail", group.pk)
    return _detail_with_errors(request, group, post_form=form)


@login_required
@require_POST
def post_hide(request, pk, post_pk):
    staff = _staff_or_404(request)
    group = voice_access.get_group_for(request.user, pk)
    if not voice_access.is_staff_of_group(request.user, group):
        raise Http404
    post = _row_or_404(GroupPost.objects.filter(group=group), post_pk)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.hide_post(post, staff, form.cleaned_data["reason"].strip())
        except services.GroupRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The post is hidden from the group."))
        return redirect("groups:detail", group.pk)
    return _detail_with_errors(request, group, hide_form=form)


@login_required
@require_POST
def topic_propose(request, pk):
    group = _member_group_or_404(request, pk)
    guardian = access.viewer_for(request.user).guardian
    form = TopicForm(request.POST)
    if form.is_valid():
        try:
            services.propose_topic(
                group,
                guardian,
                title=form.cleaned_data["title"].strip(),
                details=form.cleaned_data["details"].strip(),
            )
        except services.GroupRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Thank you: your topic is on the list."))
            return redirect("groups:detail", group.pk)
    return _detail_with_errors(request, group, topic_form=form)


@login_required
@require_POST
def topic_vote(request, pk, topic_pk):
    group = _member_group_or_404(request, pk)
    guardian = access.viewer_for(request.user).guardian
    topic = _row_or_404(Topic.objects.filter(group=group).select_related("group__school"), topic_pk)
    try:
        services.vote(topic, guardian)
    except services.GroupRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("groups:detail", group.pk)
    messages.success(request, _("Your vote is counted."))
    return redirect("groups:detail", group.pk)


@login_required
@require_POST
def topic_pick(request, pk, topic_pk):
    group = _led_group_or_404(request, pk)
    topic = _row_or_404(Topic.objects.filter(group=group), topic_pk)
    services.pick_topic(topic)
    messages.success(request, _("Topic picked: now schedule a session for it."))
    return redirect("groups:session_new", group.pk)


@login_required
def session_new(request, pk):
    group = _led_group_or_404(request, pk)
    if not group.is_academy:
        raise Http404
    guardian = access.viewer_for(request.user).guardian
    topics = Topic.objects.filter(group=group).order_by("-picked_at", "title", "pk")
    form = SessionForm(
        request.POST or None,
        group=group,
        topics=topics,
        time_zone=ZoneInfo(group.school.time_zone),
        initial={"topic": request.GET.get("topic")}
        if request.GET.get("topic", "").isdigit()
        else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.schedule_session(
                    group,
                    guardian,
                    title=data["title"].strip(),
                    starts_at=data["starts_at"],
                    place=data["place"].strip(),
                    language=data["language"],
                    topic=data["topic"],
                )
            except services.GroupRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("The session is scheduled: members see it now."))
                return redirect("groups:detail", group.pk)
        status = 400
    return render(
        request, "voice/groups/session_new.html", {"group": group, "form": form}, status=status
    )


def _row_or_404(queryset, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _detail_with_errors(request, group, **forms):
    """The group page again, with the form that was refused and its message (400)."""
    return _render_detail(request, group, status=400, **forms)
