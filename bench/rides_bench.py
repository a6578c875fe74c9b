"""The ride matcher at a large event: 300 families asking for a ride (1 to 4 people each) and
120 families driving (2 to 6 seats), spread over 40 areas of a 30 km grid. Our matcher
(`gatherings.rides.match_riders`: one flow per family size, largest first, graphs built
inside) is timed beside networkx's min-cost maximum flow alone on the seats graph of every
family (built beforehand, not timed; it splits families across cars), and beside the same
library on the very graphs ours solves (built beforehand), each reported as a ratio. No
database: the matcher is a pure function.

    python -m bench.rides_bench        (results in bench/results/rides.json)
"""

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

RIDERS = 300
DRIVERS = 120
AREAS = 40
GRID_M = 30_000
RUNS = 9
SEED = 2026
RESULTS = Path(__file__).resolve().parent / "results" / "rides.json"


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homeroom.settings")
    os.environ.setdefault("HOMEROOM_ENV", "development")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")


def event(seed: int = SEED):
    from homeroom.gatherings.rides import Seats

    rng = random.Random(seed)
    areas = [(rng.randrange(GRID_M), rng.randrange(GRID_M)) for _ in range(AREAS)]
    drivers = [
        Seats(key, *rng.choice(areas), rng.choice([2, 3, 4, 4, 5, 6])) for key in range(DRIVERS)
    ]
    riders = [
        Seats(10_000 + key, *rng.choice(areas), rng.choices([1, 2, 3, 4], [4, 3, 2, 1])[0])
        for key in range(RIDERS)
    ]
    return drivers, riders


def greedy(drivers, riders):
    """Each family in turn takes the nearest car with room for all of it."""
    from homeroom.gatherings.rides import distance_m

    room = {d.key: d.seats for d in drivers}
    placed, total = 0, 0
    for rider in riders:
        fits = [(distance_m(rider, d), d.key) for d in drivers if room[d.key] >= rider.seats]
        if fits:
            distance, key = min(fits)
            room[key] -= rider.seats
            placed, total = placed + rider.seats, total + distance
    return placed, total


def family_graphs(drivers, riders):
    """The graphs our matcher solves, one per family size, as it builds them (the seats the
    larger families took are gone from the smaller families' graph)."""
    import networkx as nx

    from homeroom.gatherings.rides import SINK, SOURCE, ride_graph

    room = {d.key: d.seats for d in drivers}
    graphs = []
    for size in sorted({r.seats for r in riders}, reverse=True):
        with_room = [d for d in drivers if room[d.key] >= size]
        families = [r for r in riders if r.seats == size]
        graph = ride_graph(with_room, families, room=room, family_size=size)
        flow = nx.max_flow_min_cost(graph, SOURCE, SINK)
        for rider in families:
            for node, units in flow[("r", rider.key)].items():
                room[node[1]] -= size * units
        graphs.append(graph)
    return graphs


def timed(function, runs: int = RUNS):
    timings, result = [], None
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        result = function()
        timings.append(((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000))
    walls = sorted(t[0] for t in timings)
    return result, {
        "runs": runs,
        "p50_ms": round(statistics.median(walls), 1),
        "min_ms": round(walls[0], 1),
        "max_ms": round(walls[-1], 1),
        "cpu_p50_ms": round(statistics.median(t[1] for t in timings), 1),
    }


def main(argv: list[str] | None = None) -> dict:
    configure()
    import django

    django.setup()
    import networkx as nx

    from homeroom.gatherings.rides import SINK, SOURCE, match_riders, ride_graph

    load = round(os.getloadavg()[0], 2)
    drivers, riders = event()
    graph = ride_graph(drivers, riders)
    placements, ours = timed(lambda: match_riders(drivers, riders))
    flow, alone = timed(lambda: nx.max_flow_min_cost(graph, SOURCE, SINK))
    _graph, build = timed(lambda: ride_graph(drivers, riders))
    graphs = family_graphs(drivers, riders)
    _flows, on_our_graphs = timed(lambda: [nx.max_flow_min_cost(g, SOURCE, SINK) for g in graphs])
    seats = {r.key: r.seats for r in riders}
    split = sum(1 for rider in riders if len([f for f in flow[("r", rider.key)].values() if f]) > 1)
    flow_seats = sum(flow[SOURCE].values())
    greedy_seats, greedy_metres = greedy(drivers, riders)
    placed_seats = sum(seats[p.rider] for p in placements)
    results = {
        # Other work on the machine shows in wall times; this says how busy it was.
        "load_average_1m_at_start": load,
        "riders": RIDERS,
        "drivers": DRIVERS,
        "areas": AREAS,
        "seats_asked": sum(seats.values()),
        "seats_offered": sum(d.seats for d in drivers),
        "graph_edges": graph.number_of_edges(),
        "ours": ours,
        "library_alone": alone,
        "graph_build": build,
        "ratio_p50": round(ours["p50_ms"] / alone["p50_ms"], 2),
        "ratio_cpu_p50": round(ours["cpu_p50_ms"] / alone["cpu_p50_ms"], 2),
        # The same flows ours solves, on graphs built beforehand: what ours adds around them.
        "library_on_our_graphs": {"graphs": len(graphs), **on_our_graphs},
        "overhead_ratio_p50": round(ours["p50_ms"] / on_our_graphs["p50_ms"], 2),
        "overhead_ratio_cpu_p50": round(ours["cpu_p50_ms"] / on_our_graphs["cpu_p50_ms"], 2),
        "placed": {
            "families": len(placements),
            "seats": placed_seats,
            "km_total": round(sum(p.distance_m for p in placements) / 1000, 1),
        },
        "library_alone_result": {
            "seats": flow_seats,
            "families_split_across_cars": split,
        },
        "greedy": {"seats": greedy_seats, "km_total": round(greedy_metres / 1000, 1)},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
