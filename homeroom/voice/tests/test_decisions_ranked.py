"""The instant-runoff count: properties that hold for instant runoff, checked over many
generated elections, and small elections counted by hand."""

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from homeroom.voice.decisions.ranked import instant_runoff, plurality

A, B, C, D = 1, 2, 3, 4


@st.composite
def complete_elections(draw, min_options=2, max_options=5):
    """Options 1..n and ballots that each rank every option."""
    n = draw(st.integers(min_options, max_options))
    options = list(range(1, n + 1))
    ballots = draw(st.lists(st.permutations(options), min_size=1, max_size=40))
    return options, [list(b) for b in ballots]


@st.composite
def partial_elections(draw):
    """Ballots that rank some of the options, perhaps none."""
    n = draw(st.integers(2, 5))
    options = list(range(1, n + 1))
    ballot = st.permutations(options).flatmap(
        lambda order: st.integers(0, len(order)).map(lambda k: list(order[:k]))
    )
    return options, draw(st.lists(ballot, min_size=0, max_size=40))


def outcome(count):
    return count.winner, tuple(count.tied)


# The machine the suite runs on may be busy: a slow example is not a wrong one.
@settings(deadline=None)
@given(partial_elections())
def test_a_majority_of_first_preferences_wins_in_round_one(election):
    options, ballots = election
    firsts = [b[0] for b in ballots if b]
    count = instant_runoff(options, ballots)
    for option in options:
        if 2 * firsts.count(option) > len(firsts):
            assert count.winner == option and len(count.rounds) == 1


@settings(deadline=None)
@given(partial_elections())
def test_every_ballot_is_counted_once_in_every_round(election):
    options, ballots = election
    count = instant_runoff(options, ballots)
    for this in count.rounds:
        assert this.continuing + this.exhausted == len(ballots)
    # A ballot once exhausted stays so; an option once out never returns.
    exhausted = [r.exhausted for r in count.rounds]
    assert exhausted == sorted(exhausted)
    standing = [set(r.counts) for r in count.rounds]
    assert all(later < earlier for earlier, later in itertools.pairwise(standing))


@settings(deadline=None)
@given(partial_elections())
def test_the_winner_has_more_than_half_of_the_last_round(election):
    options, ballots = election
    count = instant_runoff(options, ballots)
    if count.winner is not None:
        last = count.rounds[-1]
        assert 2 * last.counts[count.winner] > last.continuing
        assert not count.tied
    elif count.tied:
        last = count.rounds[-1]
        assert len(set(last.counts.values())) == 1 and set(count.tied) == set(last.counts)
    else:
        assert not any(ballots)  # no winner and no tie: nobody ranked anything


@settings(deadline=None)
@given(partial_elections(), st.randoms(use_true_random=False))
def test_the_order_ballots_arrive_in_does_not_matter(election, rng):
    options, ballots = election
    shuffled = list(ballots)
    rng.shuffle(shuffled)
    assert outcome(instant_runoff(options, shuffled)) == outcome(instant_runoff(options, ballots))


@settings(deadline=None)
@given(complete_elections(min_options=3), st.data())
def test_removing_a_losing_option_from_the_ballots_that_rank_it_last_changes_nothing(
    election, data
):
    options, ballots = election
    count = instant_runoff(options, ballots)
    losers = [r.eliminated for r in count.rounds if r.eliminated is not None]
    if not losers:
        return
    loser = data.draw(st.sampled_from(losers))
    trimmed = [b[:-1] if b[-1] == loser else b for b in ballots]
    assert outcome(instant_runoff(options, trimmed)) == outcome(count)


@settings(deadline=None)
@given(complete_elections())
def test_an_option_every_other_option_beats_head_to_head_never_wins(election):
    """The Condorcet loser: instant runoff never elects it (complete ballots)."""
    options, ballots = election

    def prefers(x, y):
        return sum(1 for b in ballots if b.index(x) < b.index(y))

    count = instant_runoff(options, ballots)
    for option in options:
        others = [o for o in options if o != option]
        if all(prefers(o, option) > prefers(option, o) for o in others):
            assert count.winner != option


@settings(max_examples=50, deadline=None)
@given(complete_elections(min_options=2, max_options=2))
def test_with_two_options_it_is_a_plain_majority(election):
    options, ballots = election
    assert outcome(instant_runoff(options, ballots)) == outcome(plurality(options, ballots))


# ---- counted by hand ------------------------------------------------------------------------


def test_a_three_round_count_by_hand():
    # 4 A>B>C, 3 B>C>A, 2 C>B>A, 1 D>C: round 1 A4 B3 C2 D1 (no majority of 10); D out, its
    # ballot goes to C: A4 B3 C3; tie for fewest between B and C, B had more first
    # preferences, so C is out: two of its ballots go to B, the D>C one is exhausted:
    # A4 B5 of 9 still counting. B wins.
    ballots = [[A, B, C]] * 4 + [[B, C, A]] * 3 + [[C, B, A]] * 2 + [[D, C]]
    count = instant_runoff([A, B, C, D], ballots)
    assert [r.counts for r in count.rounds] == [
        {A: 4, B: 3, C: 2, D: 1},
        {A: 4, B: 3, C: 3},
        {A: 4, B: 5},
    ]
    assert [r.exhausted for r in count.rounds] == [0, 0, 1]
    assert [r.eliminated for r in count.rounds] == [D, C, None]
    assert count.winner == B


def test_exhausted_ballots_leave_the_count():
    # 3 A, 2 B>A, 2 C (ranks nothing after C), 1 nothing at all. Round 1 of 7: A3 B2 C2, no
    # majority; B and C tie for fewest, tie on first preferences, C is listed later: C out,
    # its 2 ballots are exhausted. Round 2 of 5: A3 B2 — A has more than half.
    ballots = [[A]] * 3 + [[B, A]] * 2 + [[C]] * 2 + [[]]
    count = instant_runoff([A, B, C], ballots)
    assert count.rounds[0].exhausted == 1 and count.rounds[0].eliminated == C
    assert count.rounds[1].counts == {A: 3, B: 2} and count.rounds[1].exhausted == 3
    assert count.winner == A


def test_a_dead_heat_is_a_tie_not_a_winner():
    count = instant_runoff([A, B], [[A, B], [B, A]])
    assert count.winner is None and count.tied == [A, B]
    count = plurality([A, B, C], [[A], [B], [C], [A], [B]])
    assert count.winner is None and count.tied == [A, B]


def test_no_ballots_no_winner():
    assert outcome(instant_runoff([A, B], [])) == (None, ())
    assert outcome(plurality([A, B], [])) == (None, ())


def test_matches_a_direct_count_on_small_elections():
    """Against a count written the slow, obvious way, on many small random elections."""
    rng = random.Random(12)
    for _ in range(300):
        options = list(range(1, rng.randint(2, 5) + 1))
        ballots = []
        for _ in range(rng.randint(0, 12)):
            order = options[:]
            rng.shuffle(order)
            ballots.append(order[: rng.randint(0, len(order))])
        assert outcome(instant_runoff(options, ballots)) == _by_hand(options, ballots)


def _by_hand(options, ballots):
    standing = list(options)
    first = {o: sum(1 for b in ballots if b and b[0] == o) for o in options}
    while True:
        tally = {o: 0 for o in standing}
        for ballot in ballots:
            for choice in ballot:
                if choice in standing:
                    tally[choice] += 1
                    break
        total = sum(tally.values())
        if total == 0:
            return None, ()
        for o in standing:
            if tally[o] * 2 > total:
                return o, ()
        if min(tally.values()) == max(tally.values()):
            return None, tuple(standing)
        fewest = min(tally.values())
        candidates = [o for o in standing if tally[o] == fewest]
        fewest_first = min(first[o] for o in candidates)
        candidates = [o for o in candidates if first[o] == fewest_first]
        standing.remove(candidates[-1])
