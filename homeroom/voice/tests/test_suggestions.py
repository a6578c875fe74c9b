"""Suggestions with a visible life: a family sends one in its language (web or text message)
to its child's school; staff give it an owner and move it on, a decline with its reason;
families of the school follow the public ones in their language and support them, once per
family; the author and supporters are told on their channel; "you said, we did" lists what
was adopted and done; staff see what waits too long for an answer."""

import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from homeroom.messaging.models import Conversation, Delivery
from homeroom.people.models import Guardianship, Student
from homeroom.testing.personas import link, make_guardian
from homeroom.voice import access as voice_access
from homeroom.voice.models import Suggestion, SuggestionEvent, SuggestionSettings, Support
from homeroom.voice.suggestions import services
from homeroom.voice.suggestions.services import SuggestionRefused

SPANISH = "Queremos más árboles y sombra en el patio de recreo para los niños."
ENGLISH = "Could the library open before school on Mondays for working parents?"
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


@pytest.fixture
def clock(monkeypatch):
    """Sets the time every `timezone.now()` reads."""

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def suggest(world, guardian=None, text=ENGLISH, private=False, school=None, now=None):
    return services.send_suggestion(
        guardian or world.marco, school or world.north, text, private=private, now=now
    )


# ---- sending --------------------------------------------------------------------------------


def test_a_family_sends_a_suggestion_in_its_language(world, login):
    client = login(world.rosa)
    response = client.post(reverse("suggestions:new"), {"school": world.north.pk, "text": SPANISH})
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:detail", args=[suggestion.pk])
    assert suggestion.guardian == world.rosa and suggestion.school == world.north
    assert suggestion.language == "es"
    assert suggestion.status == "received" and not suggestion.private
    assert suggestion.translations["en"]  # staff read it in English
    assert "es" not in suggestion.translations


def test_the_language_is_the_one_it_was_written_in(world):
    suggestion = suggest(world, world.rosa, ENGLISH)  # Rosa reads Spanish, wrote English
    assert suggestion.language == "en"
    assert suggestion.translations.get("es")


@pytest.mark.parametrize(
    "text, says",
    [
        ("x" * 100_000, "Ensure this value has at most 2000 characters"),
        ("", "This field is required."),
        ("Bad\x00idea", "Null characters are not allowed."),
        ("More \u202eshade", "invisible direction characters"),
    ],
)
def test_bad_suggestions_are_refused_and_nothing_is_stored(world, login, text, says):
    client = login(world.marco)
    response = client.post(reverse("suggestions:new"), {"school": world.north.pk, "text": text})
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Suggestion.objects.exists()


def test_the_service_refuses_an_over_long_text_too(world):
    with pytest.raises(SuggestionRefused, match="at most 2000 characters"):
        suggest(world, text="y" * 100_000)
    assert not Suggestion.objects.exists()


def test_a_family_with_children_in_two_schools_picks_one(world, login):
    dee_sister = Student.objects.create(school=world.south, given_name="Lu", family_name="Lopez")
    link(world.rosa, dee_sister)
    client = login(world.rosa)
    page = client.get(reverse("suggestions:new")).content.decode()
    assert "North Elementary" in page and "South High" in page
    response = client.post(reverse("suggestions:new"), {"school": world.south.pk, "text": SPANISH})
    assert response.status_code == 302
    assert Suggestion.objects.get().school == world.south


def test_a_barred_link_keeps_its_school_out(world, login):
    barred = Student.objects.create(school=world.south, given_name="Ty", family_name="Nguyen")
    link(world.gina, barred, may_contact=False)
    client = login(world.gina)
    assert "South High" not in client.get(reverse("suggestions:new")).content.decode()
    response = client.post(reverse("suggestions:new"), {"school": world.south.pk, "text": ENGLISH})
    assert response.status_code == 400
    assert 'id="id_school-error"' in response.content.decode()
    assert not Suggestion.objects.exists()


def test_a_restricted_guardian_may_not_send_or_read(world, login):
    suggestion = suggest(world)
    client = login(world.ray)
    assert client.get(reverse("suggestions:new")).status_code == 404
    assert (
        client.post(
            reverse("suggestions:new"), {"school": world.north.pk, "text": "Hi"}
        ).status_code
        == 404
    )
    assert client.get(reverse("suggestions:detail", args=[suggestion.pk])).status_code == 404
    assert ENGLISH not in client.get(reverse("suggestions:list")).content.decode()
    assert not Suggestion.objects.filter(guardian=world.ray).exists()


# ---- who sees what --------------------------------------------------------------------------


def test_every_page_with_an_id_is_a_404_for_whoever_may_not_see_it(world, login):
    suggestion = suggest(world)
    family_pages = [
        reverse("suggestions:detail", args=[suggestion.pk]),
    ]
    family_posts = [
        reverse("suggestions:support", args=[suggestion.pk]),
        reverse("suggestions:visibility", args=[suggestion.pk]),
    ]
    staff_page = reverse("suggestions:staff_detail", args=[suggestion.pk])
    said = reverse("suggestions:said_and_done", args=[world.north.pk])
    for outsider in (world.olga, world.ray, world.zed_parent):
        client = login(outsider)
        for url in [*family_pages, staff_page, said]:
            assert client.get(url).status_code == 404, (outsider, url)
        for url in family_posts:
            assert client.post(url).status_code == 404, (outsider, url)
    for outsider in (world.south_teacher, world.south_admin, world.elsewhere_admin):
        client = login(outsider)
        assert client.get(staff_page).status_code == 404
        assert client.post(staff_page, {"action": "status", "status": "adopted"}).status_code == 404
        assert client.get(said).status_code == 404
        assert client.get(family_pages[0]).status_code == 404
    assert Support.objects.count() == 0 and SuggestionEvent.objects.count() == 0


def test_staff_see_their_schools_suggestions_and_who_sent_them(world, login):
    north = suggest(world, private=True)
    south = suggest(world, world.olga, "More buses please, the line is long.", school=world.south)
    page = login(world.chen).get(reverse("suggestions:staff_list")).content.decode()
    assert ENGLISH[:40] in page and "Marco Lopez" in page
    assert "More buses" not in page
    assert (
        login(world.chen).get(reverse("suggestions:staff_detail", args=[north.pk])).status_code
        == 200
    )
    assert (
        login(world.district_admin)
        .get(reverse("suggestions:staff_detail", args=[south.pk]))
        .status_code
        == 200
    )


def test_other_families_see_the_public_list_without_the_author(world, login):
    public = suggest(world, world.marco, ENGLISH)
    private = suggest(world, world.marco, "Keep this one between us please.", private=True)
    client = login(world.gina)
    page = client.get(reverse("suggestions:list")).content.decode()
    assert ENGLISH in page
    assert "Marco" not in page
    assert "between us" not in page
    assert client.get(reverse("suggestions:detail", args=[public.pk])).status_code == 200
    assert client.get(reverse("suggestions:detail", args=[private.pk])).status_code == 404
    # its author still sees it
    assert (
        login(world.marco).get(reverse("suggestions:detail", args=[private.pk])).status_code == 200
    )


def test_only_the_author_shows_or_hides_a_suggestion(world, login):
    suggestion = suggest(world, world.marco, private=True)
    login(world.marco).post(
        reverse("suggestions:visibility", args=[suggestion.pk]), {"private": "no"}
    )
    suggestion.refresh_from_db()
    assert not suggestion.private
    login(world.gina).post(
        reverse("suggestions:visibility", args=[suggestion.pk]), {"private": "yes"}
    )
    suggestion.refresh_from_db()
    assert not suggestion.private


def test_a_garbled_visibility_changes_nothing(world, login):
    suggestion = suggest(world, world.marco, private=False)
    client = login(world.marco)
    for garbled in ("yes\0", "on", ""):
        response = client.post(
            reverse("suggestions:visibility", args=[suggestion.pk]),
            {"private": garbled},
            follow=True,
        )
        assert "Choose from the list." in response.content.decode()
        suggestion.refresh_from_db()
        assert not suggestion.private
    client.post(reverse("suggestions:visibility", args=[suggestion.pk]), {"private": "yes"})
    suggestion.refresh_from_db()
    assert suggestion.private


# ---- a family reads it in its language ------------------------------------------------------


def test_a_spanish_family_reads_an_english_suggestion_and_answer_in_spanish(world, login):
    suggestion = suggest(world, world.marco, ENGLISH)
    services.change_status(
        suggestion, "discussing", "We will talk about it at the next meeting.", world.principal
    )
    client = login(world.rosa)
    page = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    translated = Suggestion.objects.get().translations["es"]
    assert translated in page
    assert ENGLISH in page  # the original, one tap away
    event = SuggestionEvent.objects.get()
    assert event.answer_translations["es"] in page
    assert '<details class="original">' in page


def test_staff_read_a_spanish_suggestion_in_english_with_the_original(world, login):
    suggestion = suggest(world, world.rosa, SPANISH)
    page = (
        login(world.principal)
        .get(reverse("suggestions:staff_detail", args=[suggestion.pk]))
        .content.decode()
    )
    assert suggestion.translations["en"] in page
    assert SPANISH in page
    assert "Written in Spanish — see original" in page


# ---- the school moves it on -----------------------------------------------------------------


def test_a_suggestion_goes_from_received_to_done_with_its_history(awake, login):
    world = awake
    suggestion = suggest(world)
    client = login(world.principal)
    url = reverse("suggestions:staff_detail", args=[suggestion.pk])
    assert client.post(url, {"action": "owner", "owner": world.liaison.pk}).status_code == 302
    for status, answer in [
        ("discussing", "The parent council discusses it on Tuesday."),
        ("adopted", "Yes: from next month."),
        ("done", "The library opens at 7:30 on Mondays."),
    ]:
        response = client.post(url, {"action": "status", "status": status, "answer": answer})
        assert response.status_code == 302, response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == "done" and suggestion.owner == world.liaison
    assert suggestion.answer == "The library opens at 7:30 on Mondays."
    history = list(suggestion.events.values_list("status", "answer"))
    assert [status for status, _a in history] == ["", "discussing", "adopted", "done"]
    assert suggestion.answered_at is not None


def test_a_decline_without_a_reason_is_refused_and_nothing_is_stored(world, login):
    suggestion = suggest(world)
    response = login(world.principal).post(
        reverse("suggestions:staff_detail", args=[suggestion.pk]),
        {"action": "status", "status": "declined", "answer": "   "},
    )
    assert response.status_code == 400
    assert "Say why the suggestion is declined" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == "received" and suggestion.answered_at is None
    assert not SuggestionEvent.objects.exists() and not Conversation.objects.exists()
    with pytest.raises(SuggestionRefused):
        services.change_status(suggestion, "declined", "", world.principal)
    assert not SuggestionEvent.objects.exists()


@pytest.mark.parametrize(
    "data, says",
    [
        ({"status": "done", "answer": "x"}, "Select a valid choice"),
        ({"status": "received", "answer": ""}, "Write an answer"),
        ({"status": "adopted", "answer": "z" * 100_000}, "Ensure this value has at most"),
        ({"status": "bogus"}, "Select a valid choice"),
    ],
)
def test_bad_status_changes_are_refused(world, login, data, says):
    suggestion = suggest(world)
    response = login(world.principal).post(
        reverse("suggestions:staff_detail", args=[suggestion.pk]), {"action": "status", **data}
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert Suggestion.objects.get().status == "received"
    assert not SuggestionEvent.objects.exists()


def test_a_closed_suggestion_moves_no_more(world):
    suggestion = suggest(world)
    services.change_status(suggestion, "declined", "We have no room for it.", world.principal)
    with pytest.raises(SuggestionRefused):
        services.change_status(suggestion, "adopted", "Changed our mind", world.principal)
    assert Suggestion.objects.get().status == "declined"


def test_the_owner_is_one_of_the_school_staff(world, login):
    suggestion = suggest(world)
    response = login(world.principal).post(
        reverse("suggestions:staff_detail", args=[suggestion.pk]),
        {"action": "owner", "owner": world.south_teacher.pk},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Suggestion.objects.get().owner is None


# ---- one support per family -----------------------------------------------------------------


def test_one_support_per_family(world, login):
    suggestion = suggest(world, world.gina, "Longer lunch breaks, the children eat too fast.")
    rosa = login(world.rosa)
    rosa.post(reverse("suggestions:support", args=[suggestion.pk]))
    again = rosa.post(reverse("suggestions:support", args=[suggestion.pk]), follow=True)
    assert "Su familia ya apoya esta sugerencia." in again.content.decode()  # Rosa reads Spanish
    assert Support.objects.filter(guardian=world.rosa).count() == 1
    # Rosa's household: another guardian of Ana living in it is the same family.
    luis = make_guardian(world.district, "Luis", "Lopez", "es", "+16125550191")
    link(luis, world.ana, household="Lopez — Main St")
    with translation.override("en"), pytest.raises(SuggestionRefused, match="already"):
        services.support(suggestion, luis)
    # Marco lives apart, in another household: another family.
    services.support(suggestion, world.marco)
    suggestion.refresh_from_db()
    assert suggestion.supporters == 2
    assert Support.objects.count() == 2


def test_a_family_does_not_support_its_own_or_a_private_or_closed_suggestion(world):
    own = suggest(world, world.rosa, SPANISH)
    with pytest.raises(SuggestionRefused, match="Your family sent"):
        services.support(own, world.rosa)
    hidden = suggest(world, world.marco, private=True)
    with pytest.raises(SuggestionRefused):
        services.support(hidden, world.gina)
    closed = suggest(world, world.marco)
    services.change_status(closed, "declined", "Not possible this year.", world.principal)
    with pytest.raises(SuggestionRefused):
        services.support(closed, world.gina)
    assert not Support.objects.exists()


# ---- the author and supporters are told -----------------------------------------------------


def test_author_and_supporters_hear_of_each_change_in_their_language(awake):
    world = awake
    suggestion = suggest(world, world.marco)
    services.support(suggestion, world.rosa)
    services.support(suggestion, world.gina)
    services.change_status(suggestion, "adopted", "Yes, from next month.", world.principal)
    conversation = Conversation.objects.get(audience__kind="suggestion")
    assert conversation.school == world.north
    deliveries = Delivery.objects.filter(message__conversation=conversation)
    assert {d.guardian for d in deliveries} == {world.marco, world.rosa, world.gina}
    assert deliveries.get(guardian=world.rosa).channel == "sms"
    message = conversation.messages.get()
    assert "adopted" in message.body and "Yes, from next month." in message.body
    spanish = message.translations.get(language="es").text
    assert "adoptada" in spanish
    assert reverse("suggestions:detail", args=[suggestion.pk]) in spanish


def test_a_guardian_the_school_may_no_longer_write_to_is_not_told(awake):
    world = awake
    suggestion = suggest(world, world.marco)
    services.support(suggestion, world.rosa)
    Guardianship.objects.filter(guardian=world.rosa).update(may_contact=False)
    services.change_status(suggestion, "discussing", "", world.principal)
    assert set(Delivery.objects.values_list("guardian", flat=True)) == {world.marco.pk}


def test_the_news_waits_for_the_end_of_quiet_hours(world, clock):
    suggestion = suggest(world, world.marco)
    clock(datetime(2026, 12, 8, 22, 30, tzinfo=CHICAGO))
    services.change_status(suggestion, "discussing", "On Tuesday.", world.principal)
    delivery = Delivery.objects.get(guardian=world.marco)
    assert delivery.next_attempt_at >= datetime(2026, 12, 9, 7, 0, tzinfo=CHICAGO)


# ---- overdue --------------------------------------------------------------------------------


def test_school_days_are_monday_to_friday():
    monday = date(2026, 12, 7)
    assert services.last_day_on_time(monday, 5) == date(2026, 11, 30)  # the Monday before
    assert services.last_day_on_time(date(2026, 12, 11), 5) == date(2026, 12, 6)  # a Sunday
    assert services.last_day_on_time(monday, 1) == date(2026, 12, 6)


def test_the_overdue_list_holds_what_has_no_answer_after_n_school_days(world, login, clock):
    monday = datetime(2026, 11, 30, 10, 0, tzinfo=CHICAGO)
    late = suggest(world, text="Old idea with no answer yet.", now=monday)
    answered = suggest(world, text="Old idea that was answered.", now=monday)
    services.change_status(answered, "discussing", "", world.principal)
    recent = suggest(world, text="A new idea from this week.", now=monday + timedelta(days=3))
    suggest(world, world.olga, "South idea", school=world.south, now=monday)
    clock(datetime(2026, 12, 7, 9, 0, tzinfo=CHICAGO))
    assert set(services.overdue_for_staff(world.chen.user)) == {late}
    SuggestionSettings.objects.create(school=world.north, answer_within_days=2)
    assert set(services.overdue_for_staff(world.chen.user)) == {late, recent}
    page = login(world.chen).get(reverse("suggestions:overdue")).content.decode()
    assert "Old idea with no answer" in page and "South idea" not in page


def test_a_school_admin_sets_the_number_of_school_days(world, login):
    client = login(world.principal)
    assert (
        client.post(reverse("suggestions:overdue"), {"answer_within_days": "3"}).status_code == 302
    )
    assert SuggestionSettings.objects.get(school=world.north).answer_within_days == 3
    bad = client.post(reverse("suggestions:overdue"), {"answer_within_days": "0"})
    assert bad.status_code == 400
    assert SuggestionSettings.objects.get(school=world.north).answer_within_days == 3
    # a teacher does not
    assert (
        login(world.chen)
        .post(reverse("suggestions:overdue"), {"answer_within_days": "9"})
        .status_code
        == 404
    )
    assert SuggestionSettings.objects.get(school=world.north).answer_within_days == 3


# ---- you said, we did -----------------------------------------------------------------------


def test_you_said_we_did_lists_what_was_adopted_and_done(world, login):
    done = suggest(world, text="Open the library early.")
    services.change_status(done, "adopted", "Yes.", world.principal)
    services.change_status(done, "done", "It opens at 7:30.", world.principal)
    declined = suggest(world, text="Cancel homework forever.")
    services.change_status(declined, "declined", "Homework stays.", world.principal)
    hidden = suggest(world, text="A private idea adopted.", private=True)
    services.change_status(hidden, "adopted", "Yes.", world.principal)
    suggest(world, text="Still waiting for an answer.")
    page = login(world.gina).get(reverse("suggestions:said_and_done", args=[world.north.pk]))
    text = page.content.decode()
    assert "Open the library early." in text and "It opens at 7:30." in text
    assert (
        "Cancel homework" not in text and "private idea" not in text and "Still waiting" not in text
    )


# ---- query counts ---------------------------------------------------------------------------


def _many(world, count):
    for number in range(count):
        suggestion = suggest(world, text=f"Idea number {number} for the school garden.")
        services.change_status(suggestion, "adopted", f"Yes {number}.", world.principal)
        services.support(suggestion, world.rosa)


@pytest.mark.parametrize("count", [2, 6])
def test_list_pages_cost_the_same_whatever_they_list(
    world, login, django_assert_num_queries, count
):
    _many(world, count)
    family = login(world.rosa)
    family.get(reverse("suggestions:list"))
    with django_assert_num_queries(12):
        assert family.get(reverse("suggestions:list")).status_code == 200
    with django_assert_num_queries(10):
        assert (
            family.get(reverse("suggestions:said_and_done", args=[world.north.pk])).status_code
            == 200
        )
    staff = login(world.principal)
    staff.get(reverse("suggestions:staff_list"))
    with django_assert_num_queries(11):
        assert staff.get(reverse("suggestions:staff_list")).status_code == 200


def test_access_helpers_scope_by_school(world):
    suggest(world)
    suggest(world, world.olga, "South idea", school=world.south)
    assert voice_access.suggestions_for_staff(world.rivera.user).count() == 1
    assert voice_access.suggestions_for_staff(world.district_admin.user).count() == 2
    assert voice_access.suggestions_for_staff(world.rosa.user).count() == 0
    assert voice_access.suggestions_for_family(world.olga.user).count() == 1
    assert voice_access.suggestions_for_family(world.ray.user).count() == 0
