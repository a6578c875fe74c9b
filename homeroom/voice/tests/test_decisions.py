"""Decisions put to families: staff put a question with options and a deadline to the
families they may address, check each language's text, send it; one vote per family (the
guardian who voted may change it until the deadline); when it closes the school records what
it decided — with a reason when that is not what the vote chose — and families see the result
in their language and are told on their channel."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from homeroom.messaging.audiences import Audience
from homeroom.messaging.models import Delivery, Message
from homeroom.people.models import Enrollment, Guardianship, Student
from homeroom.testing.personas import make_guardian
from homeroom.testing.servers import awake as no_quiet_hours
from homeroom.voice import access as voice_access
from homeroom.voice.decisions import services
from homeroom.voice.models import Ballot, Decision, DecisionOption, FamilySeat

TIMES = ["Tuesday 4 pm", "Thursday 6 pm", "Saturday 10 am"]


def later(days=7):
    return timezone.now() + timedelta(days=days)


def make_decision(world, *, ranked=False, sent=True, audience=None, by=None, options=None):
    by = by or world.rivera
    decision = services.create_decision(
        by,
        question="Which time for conferences?",
        intro="We will hold them at the time most families can come.",
        options=TIMES if options is None else options,
        closes_at=later(),
        ranked=ranked,
        audience=audience or Audience.section(world.math),
    )
    if sent:
        services.send_decision(decision, by)
    return decision


def option_ids(decision):
    return [option.pk for option in services.options_of(decision)]


def close(decision):
    Decision.objects.filter(pk=decision.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    decision.refresh_from_db()


def rosas_partner(world):
    """Luis lives with Rosa and Ana: the same household, so the same family."""
    luis = make_guardian(world.district, "Luis", "Lopez", "es", channel="email")
    no_quiet_hours(luis)
    ana = Guardianship.objects.get(guardian=world.rosa).student
    Guardianship.objects.create(guardian=luis, student=ana, household="Lopez — Main St")
    return luis


def another_family(world, n=0):
    kid = Student.objects.create(
        school=world.north, given_name="Ivy", family_name=f"Moss{n}", grade="6"
    )
    Enrollment.objects.create(section=world.math, student=kid)
    parent = make_guardian(world.district, "Ida", f"Moss{n}", "en", channel="email")
    no_quiet_hours(parent)
    Guardianship.objects.create(guardian=parent, student=kid)
    return parent


def builder_data(world, **overrides):
    data = {
        "question": "Which time for conferences?",
        "intro": "",
        "options": "\n".join(TIMES),
        "audience": f"section:{world.math.pk}",
        "closes_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    data.update(overrides)
    return data


def zone_where_it_is(hour: int) -> str:
    """A fixed-offset time zone whose local time is now `hour` o'clock."""
    offset = (hour - datetime.now(UTC).hour) % 24
    if offset > 14:
        offset -= 24
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


# ---- building -------------------------------------------------------------------------------


def test_a_teacher_puts_a_question_to_her_class(world, login):
    client = login(world.rivera)
    response = client.post(reverse("decisions:new"), builder_data(world, ranked="on"))
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("decisions:preview", args=[decision.pk])
    assert decision.audience == {
        "kind": "section",
        "section": world.math.pk,
        "school": world.north.pk,
    }
    assert [o.text for o in services.options_of(decision)] == TIMES
    assert decision.ranked and not decision.is_sent and not Message.objects.exists()


@pytest.mark.parametrize(
    "overrides, says",
    [
        ({"options": ""}, "This field is required."),
        ({"options": "Only one"}, "Give at least two options to choose from."),
        ({"options": "\n".join(f"Time {n}" for n in range(13))}, "At most 12 options."),
        ({"options": "Tuesday\ntuesday"}, "Give each option only once."),
        ({"closes_on": "2020-01-01"}, "Choose a deadline in the future."),
        ({"question": "Which\x00time?"}, "Null characters are not allowed."),
        ({"options": "Tuesday\nThu\u202eday"}, "invisible direction characters"),
        ({"question": "x" * 100_000}, "Ensure this value has at most"),
        ({"audience": f"section:{999999}"}, "Select a valid choice."),
        ({"audience": "section:"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(world, login, overrides, says):
    response = login(world.rivera).post(reverse("decisions:new"), builder_data(world, **overrides))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not Decision.objects.exists() and not DecisionOption.objects.exists()


def test_the_service_refuses_what_the_form_would(world):
    for options in ([], ["One"], [f"T{n}" for n in range(13)], ["A", "a"]):
        with pytest.raises(services.DecisionRefused):
            make_decision(world, sent=False, options=options)
    with pytest.raises(services.DecisionRefused, match="deadline in the future"):
        services.create_decision(
            world.rivera,
            question="Q",
            intro="",
            options=TIMES,
            ranked=False,
            closes_at=timezone.now() - timedelta(days=1),
            audience=Audience.section(world.math),
        )
    assert not Decision.objects.exists()


# ---- preview and sending --------------------------------------------------------------------


def test_each_language_is_checked_before_it_goes_out_by_the_outbox(awake, login):
    world = awake
    decision = make_decision(world, sent=False)
    client = login(world.rivera)
    url = reverse("decisions:preview", args=[decision.pk])
    page = client.get(url).content.decode()
    assert "Spanish" in page and "No translation is available for this language" in page
    first, second, third = option_ids(decision)
    fields = {
        "es__question": "¿Qué horario para las conferencias?",
        f"es__o{first}": "Martes 4 pm",
        f"es__o{second}": "Jueves 6 pm",
        f"es__o{third}": "Sábado 10 am",
    }
    response = client.post(url, fields)
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.is_sent and decision.reached == 3  # Rosa's, Marco's, Gina's; not Ray
    assert decision.translations["es"]["question"] == "¿Qué horario para las conferencias?"
    message = Message.objects.get()
    assert reverse("decisions:vote", args=[decision.pk]) in message.body
    assert Delivery.objects.get(guardian=world.rosa).channel == "sms"
    assert not Delivery.objects.filter(guardian=world.ray).exists()
    page = login(world.rosa).get(reverse("decisions:vote", args=[decision.pk])).content.decode()
    assert "¿Qué horario para las conferencias?" in page and "Sábado 10 am" in page


def test_two_options_that_read_the_same_in_a_language_are_not_sent(awake, login):
    decision = make_decision(awake, sent=False)
    first, second, _third = option_ids(decision)
    fields = {f"es__o{first}": "Por la tarde", f"es__o{second}": "por la tarde"}
    response = login(awake.rivera).post(reverse("decisions:preview", args=[decision.pk]), fields)
    assert response.status_code == 400
    assert "Two answers read the same in this language" in response.content.decode()
    decision.refresh_from_db()
    assert not decision.is_sent and not decision.translations and not Message.objects.exists()


def test_a_decision_is_sent_once(awake):
    decision = make_decision(awake)
    with pytest.raises(services.DecisionRefused):
        services.send_decision(decision, awake.rivera)
    assert Message.objects.count() == 1


# ---- who sees what --------------------------------------------------------------------------


def test_another_schools_staff_get_a_404_on_every_page_with_an_id(awake, login):
    decision = make_decision(awake)
    draft = make_decision(awake, sent=False)
    for staff in (awake.south_teacher, awake.south_admin, awake.elsewhere_admin):
        client = login(staff)
        for name, pk in (("decisions:results", decision.pk), ("decisions:preview", draft.pk)):
            assert client.get(reverse(name, args=[pk])).status_code == 404
            assert client.post(reverse(name, args=[pk]), {"outcome": "1"}).status_code == 404
        assert not voice_access.decisions_for_staff(staff.user).exists()
    assert (
        login(awake.chen).get(reverse("decisions:results", args=[decision.pk])).status_code == 200
    )


def test_only_the_audience_reaches_the_decision(awake, login):
    world = awake
    decision = make_decision(world)
    url = reverse("decisions:vote", args=[decision.pk])
    vote = {"choice": str(option_ids(decision)[0])}
    for guardian in (world.rosa, world.marco, world.gina):
        assert login(guardian).get(url).status_code == 200
    # Ray may not be contacted nor see Cal's records; Olga is at South; Eli's child has left.
    for guardian in (world.ray, world.olga, world.eli):
        client = login(guardian)
        assert client.get(url).status_code == 404
        assert client.post(url, vote).status_code == 404
        assert decision.pk not in [
            d.pk for d in client.get(reverse("decisions:list")).context["decisions"]
        ]
    # A family never sees the staff's count page; a draft reaches no family.
    assert (
        login(world.rosa).get(reverse("decisions:results", args=[decision.pk])).status_code == 404
    )
    draft = make_decision(world, sent=False)
    assert login(world.rosa).get(reverse("decisions:vote", args=[draft.pk])).status_code == 404
    assert not Ballot.objects.exists()


def test_a_school_decision_reaches_the_schools_families_only(awake, login):
    decision = make_decision(awake, audience=Audience.school(awake.north), by=awake.principal)
    assert login(awake.gina).get(reverse("decisions:vote", args=[decision.pk])).status_code == 200
    assert login(awake.olga).get(reverse("decisions:vote", args=[decision.pk])).status_code == 404


# ---- voting ---------------------------------------------------------------------------------


def test_one_vote_per_family_changed_by_whoever_cast_it_until_the_deadline(awake, login):
    world = awake
    luis = rosas_partner(world)
    decision = make_decision(world)
    first, second, third = option_ids(decision)
    url = reverse("decisions:vote", args=[decision.pk])
    rosa = login(world.rosa)
    assert rosa.post(url, {"choice": str(first)}).status_code == 302
    assert rosa.post(url, {"choice": str(third)}).status_code == 302  # she changes it
    ballot = Ballot.objects.get()
    assert ballot.ranking == [third] and ballot.cast_by == world.rosa and ballot.changed_at
    assert set(FamilySeat.objects.values_list("guardian", flat=True)) == {world.rosa.pk, luis.pk}
    page = rosa.get(url).content.decode()
    assert "Su familia votó:" in page and "Saturday 10 am" in page
    # Luis, of the same household: told his family has voted; nothing stored.
    luis_client = login(luis)
    refused = luis_client.post(url, {"choice": str(second)})
    assert refused.status_code == 400
    assert "Su familia ya votó: Rosa votó por ella." in refused.content.decode()
    assert Ballot.objects.get().ranking == [third]
    with override("en"), pytest.raises(services.DecisionRefused, match="Rosa voted for it"):
        services.cast_vote(decision, luis, [second])
    # Marco lives apart, in his own household: his own family, his own vote.
    assert login(world.marco).post(url, {"choice": str(second)}).status_code == 302
    assert Ballot.objects.count() == 2
    # After the deadline: no vote, no change.
    close(decision)
    late = login(world.gina).post(url, {"choice": str(first)})
    assert late.status_code == 400 and Ballot.objects.count() == 2
    assert login(world.rosa).post(url, {"choice": str(first)}).status_code == 400
    assert Ballot.objects.get(cast_by=world.rosa).ranking == [third]
    with override("en"), pytest.raises(services.DecisionRefused, match="Voting has closed"):
        services.cast_vote(decision, world.gina, [first])


def test_a_second_vote_in_the_same_instant_is_refused_by_the_database(awake, monkeypatch):
    world = awake
    luis = rosas_partner(world)
    decision = make_decision(world)
    first, second, _third = option_ids(decision)
    services.cast_vote(decision, world.rosa, [first])
    # Luis's request read "no vote yet" just before Rosa's landed.
    monkeypatch.setattr(services, "family_ballot", lambda decision, guardian: None)
    with pytest.raises(services.DecisionRefused, match="one vote per family"):
        services.cast_vote(decision, luis, [second])
    assert Ballot.objects.count() == 1 and FamilySeat.objects.count() == 2


def test_a_vote_must_be_one_of_the_options_and_clean(awake, login):
    decision = make_decision(awake)
    other = make_decision(awake, sent=False)
    url = reverse("decisions:vote", args=[decision.pk])
    client = login(awake.rosa)
    for data in ({}, {"choice": str(option_ids(other)[0])}, {"choice": "x\x00"}, {"choice": ""}):
        assert client.post(url, data).status_code == 400
    with pytest.raises(services.DecisionRefused):
        services.cast_vote(decision, awake.rosa, option_ids(decision)[:2])  # not ranked: one
    with pytest.raises(services.DecisionRefused):
        services.cast_vote(decision, awake.rosa, option_ids(other)[:1])
    assert not Ballot.objects.exists()


def test_ranked_choice_takes_ranks_from_one_without_gaps(awake, login):
    decision = make_decision(awake, ranked=True)
    first, second, third = option_ids(decision)
    url = reverse("decisions:vote", args=[decision.pk])
    client = login(awake.marco)
    for data in (
        {},
        {f"rank_{first}": "2"},
        {f"rank_{first}": "1", f"rank_{second}": "1"},
        {f"rank_{first}": "1", f"rank_{second}": "3"},
        {f"rank_{first}": "9"},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
    assert (
        "Give each rank once, from 1 upwards"
        in client.post(url, {f"rank_{first}": "2"}).content.decode()
    )
    assert not Ballot.objects.exists()
    assert client.post(url, {f"rank_{third}": "1", f"rank_{first}": "2"}).status_code == 302
    assert Ballot.objects.get().ranking == [third, first]


# ---- closing: the school's decision ---------------------------------------------------------


def _three_votes(world, decision):
    first, second, _third = option_ids(decision)
    services.cast_vote(decision, world.rosa, [first])
    services.cast_vote(decision, world.marco, [first])
    services.cast_vote(decision, world.gina, [second])
    return first, second


def test_a_decision_that_differs_from_the_vote_needs_a_reason(awake, login):
    world = awake
    decision = make_decision(world)
    first, second = _three_votes(world, decision)
    client = login(world.rivera)
    url = reverse("decisions:results", args=[decision.pk])
    # Still open: nothing to record.
    assert client.post(url, {"outcome": str(second), "reason": "x"}).status_code == 302
    decision.refresh_from_db()
    assert not decision.is_decided
    with pytest.raises(services.DecisionRefused, match="still open"):
        services.record_outcome(
            decision, world.rivera, outcome=services.options_of(decision)[1], reason=""
        )
    close(decision)
    sent_before = Message.objects.count()
    for reason in ("", "   "):
        refused = client.post(url, {"outcome": str(second), "reason": reason})
        assert refused.status_code == 400
        assert "is not what the vote chose: say why" in refused.content.decode()
    for bad in (
        {"outcome": str(second), "reason": "Because\u202e"},
        {"outcome": "999999", "reason": "x"},
        {"outcome": str(second), "reason": "y" * 100_000},
    ):
        assert client.post(url, bad).status_code == 400
    decision.refresh_from_db()
    assert not decision.is_decided and Message.objects.count() == sent_before
    done = client.post(
        url, {"outcome": str(second), "reason": "The hall is not free on Tuesday afternoons."}
    )
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.outcome_id == second and decision.decided_by == world.rivera
    assert decision.reason == "The hall is not free on Tuesday afternoons."
    told = Message.objects.latest("pk")
    assert (
        reverse("decisions:vote", args=[decision.pk]) in told.body
        and "Which time for conferences?" in told.body
    )
    assert set(Delivery.objects.filter(message=told).values_list("guardian", flat=True)) == {
        world.rosa.pk,
        world.marco.pk,
        world.gina.pk,
    }
    # Once only.
    assert client.post(url, {"outcome": str(first), "reason": ""}).status_code == 302
    decision.refresh_from_db()
    assert decision.outcome_id == second and Message.objects.count() == sent_before + 1


def test_following_the_vote_needs_no_reason(awake):
    decision = make_decision(awake)
    first, _second = _three_votes(awake, decision)
    close(decision)
    services.record_outcome(
        decision, awake.rivera, outcome=DecisionOption.objects.get(pk=first), reason=""
    )
    decision.refresh_from_db()
    assert decision.outcome_id == first and decision.reason == ""


def test_families_see_the_result_and_the_reason_in_their_language(awake, login):
    world = awake
    decision = make_decision(world)
    decision.translations = {"es": {"question": "¿Qué horario para las conferencias?"}}
    decision.save()
    _first, second = _three_votes(world, decision)
    close(decision)
    services.record_outcome(
        decision,
        world.rivera,
        outcome=DecisionOption.objects.get(pk=second),
        reason="The hall is not free.",
    )
    url = reverse("decisions:vote", args=[decision.pk])
    rosa = login(world.rosa)
    page = rosa.get(url).content.decode()
    assert "Lo que decidió la escuela" in page and "Thursday 6 pm" in page
    assert "The hall is not free." not in page  # translated for her
    assert "Esto no es lo que eligió la votación." in page
    assert "Traducción automática — ver el original" in page
    assert '<meter min="0" max="100" value="67"' in page and "3 familias votaron." in page
    original = rosa.get(url + "?original=1").content.decode()
    assert "The hall is not free." in original
    # Gina reads Vietnamese, which no engine serves here: the English, with a note.
    page = login(world.gina).get(url).content.decode()
    assert "The hall is not free." in page and "chưa được dịch" in page


def test_the_result_reaches_families_on_their_channel_after_quiet_hours(world):
    world.north.time_zone = zone_where_it_is(2)
    world.north.save()
    no_quiet_hours(world.marco, world.gina)
    decision = make_decision(world)
    first, _second = _three_votes(world, decision)
    close(decision)
    services.record_outcome(
        decision, world.rivera, outcome=DecisionOption.objects.get(pk=first), reason=""
    )
    told = Message.objects.latest("pk")
    rosa = Delivery.objects.get(message=told, guardian=world.rosa)
    assert rosa.channel == "sms" and rosa.status == Delivery.Status.HELD  # 02:00 at school
    assert Delivery.objects.get(message=told, guardian=world.marco).status != Delivery.Status.HELD


def test_ranked_choice_results_show_every_round(awake, login):
    world = awake
    luis = rosas_partner(world)  # the same family as Rosa: not a vote of its own
    ida = another_family(world)
    decision = make_decision(world, ranked=True)
    a, b, c = option_ids(decision)
    services.cast_vote(decision, world.rosa, [c, a])
    services.cast_vote(decision, world.marco, [a, b])
    services.cast_vote(decision, world.gina, [a])
    services.cast_vote(decision, ida, [b, c])
    with pytest.raises(services.DecisionRefused):
        services.cast_vote(decision, luis, [b])
    counted = services.tally(decision, services.options_of(decision))
    # Round 1: A 2, B 1, C 1 of 4 — no majority; B and C tie for fewest, with as many first
    # preferences, and C is listed later: C is out, Rosa's ballot goes to A: A 3 of 4.
    assert [[row.votes for row in r.rows] for r in counted.rounds] == [[2, 1, 1], [3, 1]]
    assert counted.rounds[0].eliminated.pk == c and counted.winner.pk == a
    page = (
        login(world.rivera).get(reverse("decisions:results", args=[decision.pk])).content.decode()
    )
    assert (
        "Round 1" in page
        and "Round 2" in page
        and "Ranked choice, counted by instant runoff." in page
    )


# ---- the family home and the lists ----------------------------------------------------------


def test_the_family_home_lists_an_open_decision_until_the_family_votes(awake, login):
    world = awake
    luis = rosas_partner(world)
    decision = make_decision(world)
    decision.translations = {"es": {"question": "¿Qué horario?"}}
    decision.save()
    link = f'href="{reverse("decisions:vote", args=[decision.pk])}"'
    page = login(world.rosa).get(reverse("family_home")).content.decode()
    assert link in page and "¿Qué horario?" in page
    services.cast_vote(decision, world.rosa, option_ids(decision)[:1])
    assert link not in login(world.rosa).get(reverse("family_home")).content.decode()
    assert link not in login(luis).get(reverse("family_home")).content.decode()  # his family voted
    assert link in login(world.gina).get(reverse("family_home")).content.decode()
    assert link not in login(world.olga).get(reverse("family_home")).content.decode()
    close(decision)
    assert link not in login(world.gina).get(reverse("family_home")).content.decode()


def test_list_and_results_query_counts(awake, login, django_assert_num_queries):
    world = awake
    decision = make_decision(world)
    make_decision(world, ranked=True)
    _three_votes(world, decision)
    options = option_ids(decision)
    client = login(world.rivera)
    client.get(reverse("decisions:list"))  # warm the session
    with django_assert_num_queries(8):
        assert client.get(reverse("decisions:list")).status_code == 200
    with django_assert_num_queries(9):
        assert client.get(reverse("decisions:results", args=[decision.pk])).status_code == 200
    close(decision)
    services.record_outcome(
        decision, world.rivera, outcome=services.options_of(decision)[0], reason="Most chose it."
    )
    family = login(world.rosa)
    family.get(reverse("decisions:list"))
    with django_assert_num_queries(7):
        assert family.get(reverse("decisions:list")).status_code == 200
    url = reverse("decisions:vote", args=[decision.pk])
    family.get(url)  # the reason is translated once, then read from the memory
    with django_assert_num_queries(13):
        assert family.get(url).status_code == 200
    # The same with many more ballots: the count reads them in one query.
    for n in range(5):
        Ballot.objects.create(
            decision=decision,
            cast_by=another_family(world, n),
            ranking=[options[1]],
            cast_at=timezone.now(),
        )
    with django_assert_num_queries(13):
        page = family.get(url)
    assert "8 familias votaron." in page.content.decode()
