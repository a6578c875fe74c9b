"""Parent-led groups: a school admin makes a group and a parent leader of it; families of the
school join and leave; leaders post to the members, each reading it in their language, and
never a named child; staff hide a post with an audit entry; an academy's families propose and
vote for topics (one vote per family) and its leaders schedule sessions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from homeroom.messaging.models import Delivery, Message
from homeroom.people.models import Guardianship
from homeroom.testing.personas import make_guardian
from homeroom.voice import access as voice_access
from homeroom.voice.groups import services
from homeroom.voice.models import (
    AcademySession,
    Group,
    GroupLeader,
    GroupMember,
    GroupPost,
    GroupPostAudit,
    Topic,
    TopicVote,
)


def make_group(world, *, academy=True, leader=None, members=(), school=None, by=None):
    group = services.create_group(
        by or world.principal,
        school or world.north,
        name="Parent academy",
        description="Evenings for families.",
        languages=["es", "en"],
        is_academy=academy,
    )
    if leader is not None:
        services.appoint_leader(by or world.principal, group, leader)
    for guardian in members:
        services.join(group, guardian)
    return group


def url(name, group, *args):
    return reverse(f"groups:{name}", args=[group.pk, *args])


def future_day(days=7):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# ---- groups and leaders ---------------------------------------------------------------------


def test_a_school_admin_creates_a_group_and_makes_a_guardian_its_parent_leader(world, login):
    client = login(world.principal)
    response = client.post(
        reverse("groups:new"),
        {
            "school": world.north.pk,
            "name": "Spanish-speaking families' circle",
            "description": "We meet on Tuesdays.",
            "languages": ["es"],
            "is_academy": "",
        },
    )
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == url("leaders", group)
    assert group.school == world.north and group.languages == ["es"] and not group.is_academy
    page = client.get(url("leaders", group)).content.decode()
    assert "Rosa Lopez" in page and "Gina Nguyen" in page
    assert "Ray Nguyen" not in page  # a court order: he may not hear of the school
    assert "Olga Haddad" not in page  # another school's family
    response = client.post(url("leaders", group), {"guardian": world.rosa.pk})
    assert response.status_code == 302
    assert GroupLeader.objects.filter(group=group, guardian=world.rosa).exists()
    assert GroupMember.objects.filter(group=group, guardian=world.rosa).exists()
    rosa = login(world.rosa)
    assert voice_access.is_parent_leader(world.rosa.user, group)
    assert list(voice_access.groups_led_by(world.rosa.user)) == [group]
    assert "Spanish-speaking families" in rosa.get(reverse("groups:list")).content.decode()


@pytest.mark.parametrize("who", ["ray", "olga", "zed_parent"])
def test_only_a_guardian_who_may_hear_of_the_school_can_lead(world, login, who):
    group = make_group(world)
    response = login(world.principal).post(
        url("leaders", group), {"guardian": getattr(world, who).pk}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not GroupLeader.objects.exists()


def test_a_leader_whose_link_is_barred_stops_leading(world):
    group = make_group(world, leader=world.gina)
    assert voice_access.is_parent_leader(world.gina.user, group)
    Guardianship.objects.filter(guardian=world.gina).update(may_see_records=False)
    world.gina.user.__dict__.pop("_homeroom_viewer", None)  # a new request resolves her again
    assert not voice_access.is_parent_leader(world.gina.user, group)
    assert list(voice_access.groups_led_by(world.gina.user)) == []


@pytest.mark.parametrize("who", ["rivera", "south_admin", "elsewhere_admin", "rosa"])
def test_only_the_schools_admins_create_groups_and_make_leaders(world, login, who):
    group = make_group(world)
    client = login(getattr(world, who))
    if who in ("rivera", "rosa"):
        assert client.get(reverse("groups:new")).status_code == 404
    assert client.get(url("leaders", group)).status_code == 404
    assert client.post(url("leaders", group), {"guardian": world.gina.pk}).status_code == 404
    assert client.post(url("leader_remove", group), {"guardian": 1}).status_code == 404
    assert not GroupLeader.objects.exists()


def test_removing_no_leader_says_so_and_keeps_every_leader(world, login):
    group = make_group(world)
    services.appoint_leader(world.principal, group, world.gina)
    response = login(world.principal).post(url("leader_remove", group), {}, follow=True)
    assert "Choose from the list." in response.content.decode()
    assert GroupLeader.objects.filter(group=group, guardian=world.gina).exists()


def test_an_admin_cannot_create_a_group_at_another_school(world, login):
    response = login(world.south_admin).post(
        reverse("groups:new"),
        {"school": world.north.pk, "name": "Circle", "languages": ["en"]},
    )
    assert response.status_code == 400
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"name": "Bad\x00name"}, "Null characters are not allowed."),
        ({"name": "Circle \u202eof friends"}, "invisible direction characters"),
        ({"description": "y" * 100_000}, "Ensure this value has at most"),
        ({"languages": []}, "This field is required."),
        ({"languages": ["xx"]}, "Select a valid choice."),
    ],
)
def test_bad_group_input_is_refused_and_nothing_is_stored(world, login, overrides, says):
    data = {"school": world.north.pk, "name": "Circle", "languages": ["es"], **overrides}
    response = login(world.principal).post(reverse("groups:new"), data)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Group.objects.exists()


# ---- joining and who sees what --------------------------------------------------------------


def test_families_of_the_school_join_and_leave(world, login):
    group = make_group(world)
    marco = login(world.marco)
    assert "Join the group" in marco.get(url("detail", group)).content.decode()
    assert marco.post(url("join", group)).status_code == 302
    assert GroupMember.objects.filter(group=group, guardian=world.marco).exists()
    assert marco.post(url("leave", group)).status_code == 302
    assert not GroupMember.objects.filter(group=group, guardian=world.marco).exists()


@pytest.mark.parametrize("who", ["olga", "zed_parent", "ray", "south_teacher", "elsewhere_admin"])
def test_a_group_outside_ones_schools_is_a_404(world, login, who):
    post_author = world.rosa
    group = make_group(world, leader=post_author, members=[world.gina])
    post = GroupPost.objects.create(group=group, author=post_author, text="Hola", language="es")
    topic = services.propose_topic(group, world.gina, title="Homework help", details="")
    client = login(getattr(world, who))
    for name, args in [
        ("detail", ()),
        ("members", ()),
        ("session_new", ()),
        ("leaders", ()),
    ]:
        assert client.get(url(name, group, *args)).status_code == 404, name
    for name, args in [
        ("join", ()),
        ("leave", ()),
        ("post", ()),
        ("topic", ()),
        ("vote", (topic.pk,)),
        ("pick", (topic.pk,)),
        ("post_hide", (post.pk,)),
    ]:
        assert (
            client.post(
                url(name, group, *args), {"text": "x", "title": "x", "reason": "x"}
            ).status_code
            == 404
        ), name
    assert group.name not in client.get(reverse("groups:list")).content.decode()
    assert GroupMember.objects.count() == 2  # Rosa and Gina, no one else
    assert TopicVote.objects.count() == 0 and GroupPost.objects.count() == 1
    assert Topic.objects.count() == 1 and not GroupPostAudit.objects.exists()


def test_members_only_parts_are_a_404_for_a_non_member(world, login):
    group = make_group(world, leader=world.rosa)
    services.post_to_group(group, world.rosa, "Nos vemos el martes en la biblioteca.")
    topic = services.propose_topic(group, world.rosa, title="Reading at home", details="")
    marco = login(world.marco)
    page = marco.get(url("detail", group)).content.decode()
    assert "biblioteca" not in page and "library" not in page and "Reading at home" not in page
    assert marco.post(url("vote", group, topic.pk)).status_code == 404
    assert marco.post(url("topic", group), {"title": "Maths"}).status_code == 404
    assert marco.post(url("leave", group)).status_code == 404
    assert not TopicVote.objects.exists() and Topic.objects.count() == 1


def test_leader_actions_are_a_404_for_a_member_who_does_not_lead(world, login):
    group = make_group(world, leader=world.rosa, members=[world.marco])
    topic = services.propose_topic(group, world.marco, title="Maths at home", details="")
    marco = login(world.marco)
    assert marco.post(url("post", group), {"text": "Hello all"}).status_code == 404
    assert marco.get(url("session_new", group)).status_code == 404
    assert marco.post(url("pick", group, topic.pk)).status_code == 404
    assert marco.get(url("members", group)).status_code == 404
    assert "Post to the members" not in marco.get(url("detail", group)).content.decode()
    topic.refresh_from_db()
    assert topic.picked_at is None and not GroupPost.objects.exists()


def test_a_row_of_another_group_is_a_404(world, login):
    mine = make_group(world, leader=world.rosa)
    other = make_group(world, leader=world.gina)
    topic = services.propose_topic(other, world.gina, title="Sleep", details="")
    post = GroupPost.objects.create(group=other, author=world.gina, text="Hi", language="vi")
    rosa = login(world.rosa)
    assert rosa.post(url("vote", mine, topic.pk)).status_code == 404
    assert rosa.post(url("pick", mine, topic.pk)).status_code == 404
    assert (
        login(world.rivera).post(url("post_hide", mine, post.pk), {"reason": "x"}).status_code
        == 404
    )
    assert not TopicVote.objects.exists() and not GroupPostAudit.objects.exists()


# ---- posts ----------------------------------------------------------------------------------


def test_a_leaders_post_reaches_each_member_in_their_language(awake, login):
    world = awake
    group = make_group(world, leader=world.rosa, members=[world.marco, world.gina])
    rosa = login(world.rosa)
    page = rosa.get(url("detail", group)).content.decode()
    assert "no se habla de ningún niño por su nombre" in page  # the rule, in Rosa's Spanish
    response = rosa.post(url("post", group), {"text": "Nos vemos el martes en la biblioteca."})
    assert response.status_code == 302
    post = GroupPost.objects.get()
    assert post.language == "es" and "en" in post.translations
    assert "library" in post.translations["en"].lower()
    message = Message.objects.get()
    assert message.conversation == post.conversation
    assert "Rosa Lopez" in message.body and "biblioteca" in message.body
    deliveries = {d.guardian_id: d for d in Delivery.objects.all()}
    assert set(deliveries) == {world.marco.pk, world.gina.pk}  # not the leader herself
    assert deliveries[world.marco.pk].channel == "email"
    assert deliveries[world.gina.pk].untranslated  # Vietnamese: no engine in tests
    english = message.translations.get(language="en").text
    assert "Rosa Lopez" in english and "library" in english.lower()
    marco = login(world.marco)
    page = marco.get(url("detail", group)).content.decode()
    assert "library" in page.lower() and "See the original" in page
    original = marco.get(url("detail", group) + f"?original={post.pk}").content.decode()
    assert "Nos vemos el martes en la biblioteca." in original


@pytest.mark.parametrize(
    "text, says",
    [
        ("Ana Lopez was upset today.", "may not discuss a named child"),
        ("about LOPEZ   ANA again", "may not discuss a named child"),
        ("Bad\x00text", "Null characters are not allowed."),
        ("Hola \u202etodos", "invisible direction characters"),
        ("z" * 100_000, "Ensure this value has at most"),
        ("   ", "This field is required."),
    ],
)
def test_a_post_that_names_a_child_or_is_bad_is_refused_and_nothing_is_sent(
    awake, login, text, says
):
    world = awake
    group = make_group(world, leader=world.marco, members=[world.rosa])
    response = login(world.marco).post(url("post", group), {"text": text})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not GroupPost.objects.exists() and not Message.objects.exists()
    assert not Delivery.objects.exists()


def test_a_childs_given_name_alone_is_not_refused(awake):
    group = make_group(awake, leader=awake.rosa)
    services.post_to_group(group, awake.rosa, "Ana from the office will open the room.")
    assert GroupPost.objects.count() == 1


def test_staff_hide_a_post_with_an_audit_entry(awake, login):
    world = awake
    group = make_group(world, leader=world.rosa, members=[world.marco])
    post = services.post_to_group(group, world.rosa, "Nos vemos el martes.")
    rivera = login(world.rivera)
    response = rivera.post(url("post_hide", group, post.pk), {"reason": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    post.refresh_from_db()
    assert post.hidden_at is None and not GroupPostAudit.objects.exists()
    response = rivera.post(url("post_hide", group, post.pk), {"reason": "Off topic"})
    assert response.status_code == 302
    post.refresh_from_db()
    audit = GroupPostAudit.objects.get()
    assert post.hidden_at is not None
    assert (audit.post, audit.action, audit.by, audit.reason) == (
        post,
        GroupPostAudit.Action.HIDDEN,
        world.rivera,
        "Off topic",
    )
    page = login(world.marco).get(url("detail", group)).content.decode()
    assert "Tuesday" not in page and "martes" not in page
    rivera = login(world.rivera)
    assert "Hidden by the school" in rivera.get(url("detail", group)).content.decode()


def test_a_family_cannot_hide_a_post(awake, login):
    group = make_group(awake, leader=awake.rosa, members=[awake.marco])
    post = services.post_to_group(group, awake.rosa, "Hola a todos.")
    for who in (awake.rosa, awake.marco):
        assert login(who).post(url("post_hide", group, post.pk), {"reason": "x"}).status_code == 404
    post.refresh_from_db()
    assert post.hidden_at is None and not GroupPostAudit.objects.exists()


# ---- members --------------------------------------------------------------------------------


def test_leaders_see_members_and_their_languages_never_their_contact_details(world, login):
    group = make_group(world, leader=world.marco, members=[world.rosa, world.gina])
    page = login(world.marco).get(url("members", group)).content.decode()
    assert "Rosa Lopez" in page and "Spanish" in page
    assert "Marco Lopez" in page and "Gina Nguyen" in page
    assert "Vietnamese" in page and "English" in page
    for guardian in (world.marco, world.gina, world.rosa):
        phone = str(guardian.phone)
        assert phone not in page and phone[-7:] not in page
        assert guardian.email not in page
    assert "@" not in page.split("<main", 1)[-1]


def test_the_members_page_costs_the_same_for_many_members(world, login, django_assert_num_queries):
    group = make_group(world, leader=world.rosa, members=[world.marco])
    client = login(world.rosa)
    client.get(url("members", group))
    with django_assert_num_queries(QUERIES_MEMBERS):
        client.get(url("members", group))
    services.join(group, world.gina)
    for index in range(5):
        extra = make_guardian(
            world.district, f"Extra{index}", "Family", "es", f"+1612555090{index}"
        )
        Guardianship.objects.create(guardian=extra, student=world.ben)
        services.join(group, extra)
    with django_assert_num_queries(QUERIES_MEMBERS):
        page = client.get(url("members", group)).content.decode()
    assert "Extra4 Family" in page


def test_the_group_page_costs_the_same_for_many_posts_and_topics(
    awake, login, django_assert_num_queries
):
    world = awake
    group = make_group(world, leader=world.rosa, members=[world.marco])
    services.post_to_group(group, world.rosa, "Hola a todos.")
    services.propose_topic(group, world.marco, title="Sleep", details="")
    services.schedule_session(
        group,
        world.rosa,
        title="Sleep",
        starts_at=timezone.now() + timedelta(days=3),
        place="Library",
        language="es",
    )
    client = login(world.marco)
    client.get(url("detail", group))
    with django_assert_num_queries(QUERIES_DETAIL):
        client.get(url("detail", group))
    for index in range(4):
        GroupPost.objects.create(
            group=group, author=world.rosa, text=f"Post {index}", language="es"
        )
        topic = services.propose_topic(group, world.marco, title=f"Topic {index}", details="")
        services.vote(topic, world.rosa)
    with django_assert_num_queries(QUERIES_DETAIL):
        page = client.get(url("detail", group)).content.decode()
    assert "Topic 3" in page and "Post 3" in page


QUERIES_MEMBERS = 10
QUERIES_DETAIL = 14


# ---- the parent academy ---------------------------------------------------------------------


def test_families_propose_and_vote_one_vote_per_family(world, login):
    group = make_group(world, leader=world.gina, members=[world.rosa, world.marco])
    # Rosa's partner, in her household: the same family.
    luis = make_guardian(world.district, "Luis", "Lopez", "es", "+16125550199")
    Guardianship.objects.create(guardian=luis, student=world.ana, household="Lopez — Main St")
    services.join(group, luis)
    rosa = login(world.rosa)
    assert rosa.post(url("topic", group), {"title": "Helping with homework"}).status_code == 302
    topic = Topic.objects.get()
    assert rosa.post(url("vote", group, topic.pk)).status_code == 302
    response = rosa.post(url("vote", group, topic.pk), follow=True)
    assert "Su familia ya votó por este tema." in response.content.decode()
    response = login(luis).post(url("vote", group, topic.pk), follow=True)
    assert "Su familia ya votó por este tema." in response.content.decode()
    # Marco lives apart, in another household: a family of his own.
    assert login(world.marco).post(url("vote", group, topic.pk)).status_code == 302
    assert TopicVote.objects.filter(topic=topic).count() == 2
    leader_page = login(world.gina).get(url("detail", group)).content.decode()
    assert (
        "2 phiếu" in leader_page and "Chọn “Helping with homework”" in leader_page
    )  # Gina reads Vietnamese


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"title": "x" * 100_000}, "Ensure this value has at most"),
        ({"title": "Bad\x00topic"}, "Null characters are not allowed."),
        ({"details": "\u2066hidden"}, "invisible direction characters"),
    ],
)
def test_a_bad_topic_is_refused(world, login, overrides, says):
    group = make_group(world, members=[world.marco])
    response = login(world.marco).post(url("topic", group), {"title": "Sleep", **overrides})
    assert response.status_code == 400 and says in response.content.decode()
    assert not Topic.objects.exists()


def test_a_leader_picks_a_topic_and_schedules_a_session_members_see(world, login):
    group = make_group(world, leader=world.rosa, members=[world.marco])
    topic = services.propose_topic(group, world.marco, title="Reading at home", details="")
    rosa = login(world.rosa)
    assert rosa.post(url("pick", group, topic.pk)).status_code == 302
    topic.refresh_from_db()
    assert topic.picked_at is not None
    data = {
        "title": "Reading at home",
        "topic": topic.pk,
        "day": future_day(),
        "start": "18:30",
        "place": "School library",
        "language": "es",
    }
    assert rosa.post(url("session_new", group), data).status_code == 302
    session = AcademySession.objects.get()
    assert session.topic == topic and session.language == "es" and session.created_by == world.rosa
    page = login(world.marco).get(url("detail", group)).content.decode()
    assert "School library" in page and "Reading at home" in page


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"day": "2020-01-01"}, "Choose a date and time in the future."),
        ({"day": "not a day"}, "Enter a valid date."),
        ({"place": "p" * 100_000}, "Ensure this value has at most"),
        ({"place": "Room\x00"}, "Null characters are not allowed."),
        ({"title": "\u202bTitle"}, "invisible direction characters"),
        ({"language": "so"}, "Select a valid choice."),
    ],
)
def test_a_bad_session_is_refused_and_nothing_is_stored(world, login, overrides, says):
    group = make_group(world, leader=world.marco)
    data = {
        "title": "Sleep",
        "day": future_day(),
        "start": "18:30",
        "place": "Library",
        "language": "en",
        **overrides,
    }
    response = login(world.marco).post(url("session_new", group), data)
    assert response.status_code == 400 and says in response.content.decode()
    assert not AcademySession.objects.exists()


def test_a_session_in_the_past_is_refused_by_the_service_too(world):
    group = make_group(world, leader=world.rosa)
    with pytest.raises(services.GroupRefused):
        services.schedule_session(
            group,
            world.rosa,
            title="Sleep",
            starts_at=timezone.now() - timedelta(minutes=1),
            place="Library",
            language="en",
        )
    assert not AcademySession.objects.exists()


def test_a_post_reads_in_the_members_inbox_and_the_senders(awake, login):
    world = awake
    group = make_group(world, leader=world.rosa, members=[world.marco])
    post = services.post_to_group(group, world.rosa, "Nos vemos el martes en la biblioteca.")
    marco = login(world.marco)
    assert "Parent academy" in marco.get(reverse("inbox")).content.decode()
    page = marco.get(reverse("conversation", args=[post.conversation.pk])).content.decode()
    assert "Rosa Lopez" in page and "library" in page.lower()
    principal = login(world.principal)
    page = principal.get(reverse("conversation", args=[post.conversation.pk])).content.decode()
    assert "Rosa Lopez, parent leader of Parent academy, writes" in page
    # Staff are told whom the post went to: the group's members, not every family.
    assert f"Members of Parent academy, {group.school.name}" in page
    assert "Every family at" not in page
    # A family outside the group never has it.
    olga = login(world.olga)
    assert olga.get(reverse("conversation", args=[post.conversation.pk])).status_code == 404


def test_the_group_list_costs_the_same_for_many_groups(world, login, django_assert_num_queries):
    make_group(world, leader=world.marco)
    client = login(world.marco)
    client.get(reverse("groups:list"))
    with django_assert_num_queries(QUERIES_LIST):
        client.get(reverse("groups:list"))
    for _index in range(4):
        make_group(world, members=[world.marco, world.gina])
    with django_assert_num_queries(QUERIES_LIST):
        page = client.get(reverse("groups:list")).content.decode()
    assert page.count("You are a member.") == 4 and page.count("You lead this group.") == 1


QUERIES_LIST = 10


def test_the_group_page_for_staff_costs_the_same_with_hidden_posts(
    world, login, django_assert_num_queries
):
    group = make_group(world, leader=world.marco, members=[world.rosa])
    GroupPost.objects.create(group=group, author=world.marco, text="First", language="en")
    client = login(world.rivera)
    client.get(url("detail", group))
    with django_assert_num_queries(QUERIES_DETAIL_STAFF):
        client.get(url("detail", group))
    for index in range(4):
        post = GroupPost.objects.create(
            group=group, author=world.marco, text=f"Post {index}", language="en"
        )
        services.hide_post(post, world.principal, "Off topic")
    with django_assert_num_queries(QUERIES_DETAIL_STAFF):
        page = client.get(url("detail", group)).content.decode()
    assert page.count("Hidden by the school") == 4 and page.count("Hide this post") == 1


QUERIES_DETAIL_STAFF = 13
