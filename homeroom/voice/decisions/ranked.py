"""The instant-runoff count of ranked ballots, written here (no library is kept up for it).

A ballot is a sequence of option ids, most preferred first; it may rank only some options.
Each round counts every ballot for its highest-ranked option still in the count; a ballot
whose ranked options are all out is *exhausted* and counts for nobody from then on. An
option with more than half of the ballots still counting wins. Otherwise, when every option
still in the count has the same number of votes, the count ends in a tie between them;
else the option with the fewest votes is removed and the next round begins.

Ties for the fewest votes are broken by a stated rule: the option with fewer first
preferences in round one goes first; if still tied, the one listed later on the decision
(the options are given in their listed order). The rule only ever removes a loser; it never
picks the winner, and a tie at the top is reported as a tie, not resolved.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Round:
    counts: dict[int, int]  # option id -> ballots counting for it, for the options still in
    exhausted: int  # ballots with no option left in the count
    eliminated: int | None = None  # the option removed after this round, if any

    @property
    def continuing(self) -> int:
        return sum(self.counts.values())


@dataclass
class Count:
    rounds: list[Round] = field(default_factory=list)
    winner: int | None = None
    tied: list[int] = field(default_factory=list)  # the options tied at the end, if it ended so

    @property
    def first_preferences(self) -> dict[int, int]:
        return self.rounds[0].counts if self.rounds else {}


def instant_runoff(options: Sequence[int], ballots: Sequence[Sequence[int]]) -> Count:
    """Count `ballots` over `options` (listed order). Option ids a ballot repeats or that are
    not among `options` are ignored after their first valid mention."""
    order = {option: index for index, option in enumerate(options)}
    clean = [_clean(ballot, order) for ballot in ballots]
    result = Count()
    standing = list(options)
    first: dict[int, int] | None = None
    while standing:
        counts = dict.fromkeys(standing, 0)
        exhausted = 0
        alive = set(standing)
        for ballot in clean:
            choice = next((option for option in ballot if option in alive), None)
            if choice is None:
                exhausted += 1
            else:
                counts[choice] += 1
        this_round = Round(counts, exhausted)
        result.rounds.append(this_round)
        if first is None:
            first = dict(counts)
        continuing = this_round.continuing
        if continuing == 0:
            return result  # nobody voted: no winner
        leader = max(standing, key=lambda option: (counts[option], -order[option]))
        if 2 * counts[leader] > continuing:
            result.winner = leader
            return result
        if len(set(counts.values())) == 1:
            result.tied = list(standing)
            return result
        loser = min(standing, key=lambda option: (counts[option], first[option], -order[option]))
        this_round.eliminated = loser
        standing.remove(loser)
    return result


def _clean(ballot: Sequence[int], order: dict[int, int]) -> list[int]:
    seen: list[int] = []
    for option in ballot:
        if option in order and option not in seen:
            seen.append(option)
    return seen


def plurality(options: Sequence[int], ballots: Sequence[Sequence[int]]) -> Count:
    """One round: each ballot's first option. The most votes win; equal most votes, a tie."""
    order = {option: index for index, option in enumerate(options)}
    counts = dict.fromkeys(options, 0)
    exhausted = 0
    for ballot in ballots:
        clean = _clean(ballot, order)
        if clean:
            counts[clean[0]] += 1
        else:
            exhausted += 1
    result = Count(rounds=[Round(counts, exhausted)])
    if not any(counts.values()):
        return result
    most = max(counts.values())
    top = [option for option in options if counts[option] == most]
    if len(top) == 1:
        result.winner = top[0]
    else:
        result.tied = top
    return result
