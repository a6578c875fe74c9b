"""Parent-led groups and the parent academy: the writes, named in the product's words.

Who may see or do what is `voice.access` (its "Parent-led groups" block); each function here
is called once the view has asked it. A post reaches the group's members through the outbox
as a school announcement (`messaging.writing.open_conversation`, the writer every
announcement shares), in each member's language, with the leader named as its author.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from homeroom.languages import STAFF_LANGUAGE, base_language
from homeroom.messaging.models import Conversation
from homeroom.messaging.services import school_office, with_opt_out
from homeroom.messaging.writing import open_conversation
from homeroom.people.households import families_of
from homeroom.people.models import Guardian, School, StaffMember
from homeroom.translation.services import (
    Translation,
    TranslationUnavailable,
    available,
    translate,
)

from .. import access as voice_access
from ..models import (
    AcademySession,
    Group,
    GroupLeader,
    GroupMember,
    GroupPost,
    GroupPostAudit,
    Topic,
    TopicVote,
)

# What a post carries to each member, as the outbox needs it.
MEMBER_FIELDS = (
    "id",
    "given_name",
    "family_name",
    "language",
    "channel",
    "email",
    "phone",
    "quiet_start",
    "quiet_end",
    "time_zone",
)


class GroupRefused(Exception):
    """What is wrong, in words for the person who asked."""


# ---- groups and leaders ---------------------------------------------------------------------


def create_group(
    staff: StaffMember,
    school: School,
    *,
    name: str,
    description: str,
    languages: list[str],
    is_academy: bool,
) -> Group:
    if not languages:
        raise GroupRefused(_("Choose at least one language the group meets in."))
    return Group.objects.create(
        school=school,
        name=name,
        description=description,
        languages=sorted({base_language(code) for code in languages}),
        is_academy=is_academy,
        created_by=staff,
    )


def appoint_leader(staff: StaffMember, group: Group, guardian: Guardian) -> GroupLeader:
    """Make a guardian a parent leader (and a member) of the group."""
    with transaction.atomic():
        leader, _created = GroupLeader.objects.get_or_create(
            group=group, guardian=guardian, defaults={"appointed_by": staff}
        )
        GroupMember.objects.get_or_create(group=group, guardian=guardian)
    return leader


def remove_leader(group: Group, guardian: Guardian) -> None:
    GroupLeader.objects.filter(group=group, guardian=guardian).delete()


def join(group: Group, guardian: Guardian) -> None:
    GroupMember.objects.get_or_create(group=group, guardian=guardian)


def leave(group: Group, guardian: Guardian) -> None:
    """A leader who leaves stops leading too."""
    with transaction.atomic():
        GroupMember.objects.filter(group=group, guardian=guardian).delete()
        GroupLeader.objects.filter(group=group, guardian=guardian).delete()


# ---- the parent academy ---------------------------------------------------------------------


def propose_topic(group: Group, guardian: Guardian, *, title: str, details: str) -> Topic:
    if not group.is_academy:
        raise GroupRefused(_("Only a parent academy takes topics."))
    return Topic.objects.create(
        group=group,
        proposed_by=guardian,
        title=title,
        details=details,
        language=base_language(guardian.language) or STAFF_LANGUAGE,
    )


def family_of(guardian: Guardian, school: School) -> int:
    """The guardian's family at the school, as `people.households` draws families: the
    smallest guardian id of it (their own id when they have no link there)."""
    rows = voice_access.links_at_school(school).values_list(
        "guardian_id", "student_id", "household", "lives_with"
    )
    return families_of(list(rows)).get(guardian.pk, guardian.pk)


def vote(topic: Topic, guardian: Guardian) -> TopicVote:
    """One vote per family: a second vote from the same family, by any of its guardians, is
    refused."""
    family = family_of(guardian, topic.group.school)
    try:
        with transaction.atomic():
            return TopicVote.objects.create(topic=topic, guardian=guardian, family=family)
    except IntegrityError:
        raise GroupRefused(_("Your family has already voted for this topic.")) from None


def topics_by_votes(group: Group):
    """The group's topics, most votes first, each with `n_votes`."""
    return (
        group.topics.select_related("proposed_by")
        .annotate(n_votes=Count("votes"))
        .order_by("picked_at", "-n_votes", "created_at", "pk")
    )


def pick_topic(topic: Topic, now: datetime | None = None) -> None:
    if topic.picked_at is None:
        topic.picked_at = now or timezone.now()
        topic.save(update_fields=["picked_at"])


def schedule_session(
    group: Group,
    leader: Guardian,
    *,
    title: str,
    starts_at: datetime,
    place: str,
    language: str,
    topic: Topic | None = None,
    now: datetime | None = None,
) -> AcademySession:
    now = now or timezone.now()
    if starts_at <= now:
        raise GroupRefused(_("Choose a date and time in the future."))
    if topic is not None and topic.group_id != group.pk:
        raise GroupRefused(_("Choose one of this academy's topics."))
    with transaction.atomic():
        session = AcademySession.objects.create(
            group=group,
            topic=topic,
            title=title,
            starts_at=starts_at,
            place=place,
            language=base_language(language),
            created_by=leader,
        )
        if topic is not None:
            pick_topic(topic, now)
    return session


def upcoming_sessions(group: Group, now: datetime | None = None):
    return group.sessions.filter(starts_at__gte=now or timezone.now()).order_by("starts_at", "pk")


# ---- posts ----------------------------------------------------------------------------------


def named_children(text: str, school: School) -> list[str]:
    """The school's children a text names, by their full name (given and family name, in
    either order, any case): what a group post may not discuss."""
    folded = " ".join(text.casefold().split())
    found = []
    for given, family in voice_access.child_names_at(school):
        for name in (f"{given} {family}", f"{family} {given}"):
            pattern = r"(?<!\w)" + re.escape(" ".join(name.casefold().split())) + r"(?!\w)"
            if re.search(pattern, folded):
                found.append(f"{given} {family}")
                break
    return found


@dataclass
class PostVersion:
    text: str
    translated: bool  # False: the original (the reader's own language, or none served)


def post_in(post: GroupPost, language: str) -> PostVersion:
    reader = base_language(language) or STAFF_LANGUAGE
    if reader == base_language(post.language):
        return PostVersion(post.text, False)
    version = (post.translations or {}).get(reader)
    if version:
        return PostVersion(version, True)
    return PostVersion(post.text, False)


def sender_of(group: Group) -> StaffMember:
    """Whom the announcement is filed under at the school (replies reach them): the staff
    member who made the group, else the school office."""
    if group.created_by.is_active:
        return group.created_by
    return school_office(group.school)[0]


def _versions(text: str, source: str, languages, school: School, protect) -> dict[str, Translation]:
    out = {}
    for target in sorted({base_language(code) for code in languages} - {base_language(source)}):
        if not available(source, target, school=school):
            continue
        try:
            (done,) = translate([text], source, target, school=school, protect=protect)
        except TranslationUnavailable:
            continue
        out[target] = done
    return out


def _framed(group: Group, leader: Guardian, text: str, language: str) -> str:
    with override(language):
        return _(
            "%(leader)s, parent leader of %(group)s, writes: %(text)s — Read it in the group: "
            "%(link)s"
        ) % {
            "leader": leader.full_name,
            "group": group.name,
            "text": text,
            "link": settings.PUBLIC_BASE_URL + reverse("groups:detail", args=[group.pk]),
        }


def post_to_group(
    group: Group, leader: Guardian, text: str, *, prepared: dict[str, str] | None = None
) -> GroupPost:
    """Refused, storing nothing, when it names a child of the school. Otherwise one
    announcement to the members (the leader excluded), each on their channel and in their
    language, with the leader named; the post keeps each language's version for the group
    page. `prepared`: the text already written in some languages (a survey's invitation,
    from the catalogue and the survey's own texts), used instead of a machine's."""
    named = named_children(text, group.school)
    if named:
        raise GroupRefused(
            _("Group posts may not discuss a named child: remove %(names)s and post again.")
            % {"names": ", ".join(named)}
        )
    source = base_language(leader.language) or STAFF_LANGUAGE
    members = list(
        with_opt_out(
            Guardian.objects.filter(
                pk__in=voice_access.members_of(group).values("guardian_id")
            ).exclude(pk=leader.pk)
        )
        .only(*MEMBER_FIELDS)
        .order_by("pk")
    )
    sender = sender_of(group)
    protect = [leader.given_name, leader.family_name, group.name, group.school.name]
    languages = {m.language for m in members} | {STAFF_LANGUAGE}
    versions = _versions(text, source, languages, group.school, protect)
    for language, written in (prepared or {}).items():
        language = base_language(language)
        if language != base_language(source) and language in {
            base_language(code) for code in languages
        }:
            versions[language] = Translation(
                text=written,
                source=source,
                target=language,
                provider="prepared",
                human_checked=False,
                machine=True,
            )
    prepared = {
        language: Translation(
            text=_framed(group, leader, version.text, language),
            source=source,
            target=language,
            provider=version.provider,
            human_checked=version.human_checked,
            machine=version.machine,
        )
        for language, version in versions.items()
    }
    with transaction.atomic():
        post = GroupPost.objects.create(
            group=group,
            author=leader,
            text=text,
            language=source,
            translations={language: version.text for language, version in versions.items()},
        )
        if members:
            conversation = Conversation(
                kind=Conversation.Kind.ANNOUNCEMENT,
                district_id=group.school.district_id,
                school=group.school,
                audience={
                    "kind": "group",
                    "group": group.pk,
                    "name": group.name,
                    "school": group.school_id,
                },
                subject=group.name,
                started_by=Conversation.StartedBy.SCHOOL,
            )
            open_conversation(
                conversation,
                staff=[sender],
                guardians=members,
                text=_framed(group, leader, text, source),
                by_staff=sender,
                language=source,
                channel="app",
                protect=protect,
                prepared=prepared,
            )
            post.conversation = conversation
            post.save(update_fields=["conversation"])
    return post


def visible_posts(group: Group, *, with_hidden: bool = False):
    posts = group.posts.select_related("author")
    if not with_hidden:
        posts = posts.filter(hidden_at__isnull=True)
    return posts.order_by("-created_at", "-pk")


def hide_post(post: GroupPost, staff: StaffMember, reason: str) -> None:
    """Hide a post from the group page, with an audit entry saying who and why."""
    if post.hidden_at is not None:
        raise GroupRefused(_("This post is hidden already."))
    now = timezone.now()
    with transaction.atomic():
        post.hidden_at = now
        post.save(update_fields=["hidden_at"])
        GroupPostAudit.objects.create(
            post=post, action=GroupPostAudit.Action.HIDDEN, by=staff, reason=reason, at=now
        )


def member_counts(groups) -> dict[int, int]:
    return dict(
        GroupMember.objects.filter(group__in=groups)
        .values_list("group")
        .annotate(n=Count("pk"))
        .values_list("group", "n")
    )
