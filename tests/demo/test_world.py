"""The demo generator: deterministic, shaped like real organisations, outcomes as documented."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from crestline.demo.companies import make_companies
from crestline.demo.deals import AccountView, CausalModel, DealMaker, Offering, hierarchy_index
from crestline.demo.orgs import build_org
from crestline.demo.ourorg import build_our_org
from crestline.demo.scales import AS_OF, SCALES
from crestline.demo.world import COLUMNS, WorldGenerator
from crestline.ingest.sfid import make_id, to15, to18


def fingerprint(seed: int) -> str:
    digest = hashlib.sha256()
    gen = WorldGenerator(SCALES["small"], seed, password_hasher=lambda p: "x")
    for batch in gen.batches():
        for table in sorted(batch.rows):
            for row in batch.rows[table]:
                digest.update(repr(row).encode())
    return digest.hexdigest()


def test_same_seed_same_world_other_seed_other_world() -> None:
    assert fingerprint(11) == fingerprint(11)
    assert fingerprint(11) != fingerprint(12)


def test_rows_match_their_columns() -> None:
    gen = WorldGenerator(SCALES["small"], 5, password_hasher=lambda p: "x")
    for batch in gen.batches():
        for table, rows in batch.rows.items():
            assert all(len(row) == len(COLUMNS[table]) for row in rows), table


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    people=st.integers(12, 900),
    hierarchy=st.sampled_from(["tall", "medium", "flat"]),
    employees=st.integers(40, 300_000),
    industry=st.sampled_from(["banking", "software", "retail", "energy"]),
)
def test_org_is_a_forest_of_the_requested_size(
    seed: int, people: int, hierarchy: str, employees: int, industry: str
) -> None:
    span = {"tall": 3.4, "medium": 5.0, "flat": 7.5}[hierarchy]
    nodes = build_org(
        random.Random(seed),
        people=people,
        hierarchy=hierarchy,
        span=span,
        employees=employees,
        industry=industry,
    )
    assert len(nodes) == people
    # a manager always comes before their reports: no cycle is possible, every chain ends at a top
    for i, node in enumerate(nodes):
        assert node.manager < i
        if node.manager >= 0:
            assert nodes[node.manager].depth == node.depth - 1
            assert nodes[node.manager].seniority not in ("individual_contributor", "entry")
    tops = [n for n in nodes if n.manager == -1]
    assert tops[0].seniority == "c_suite" and tops[0].function == "general_management"
    assert all(n.seniority == "board" for n in tops[1:])


def test_tall_banks_are_deeper_than_flat_software_firms() -> None:
    def depth(hierarchy: str, industry: str) -> float:
        depths = []
        for seed in range(30):
            nodes = build_org(
                random.Random(seed),
                people=300,
                hierarchy=hierarchy,
                span={"tall": 3.4, "flat": 7.5}[hierarchy],
                employees=20_000,
                industry=industry,
            )
            depths.append(max(n.depth for n in nodes))
        return sum(depths) / len(depths)

    assert depth("tall", "banking") >= depth("flat", "software") + 1.5


def test_titles_are_in_the_accounts_language_and_some_are_hidden() -> None:
    gen = WorldGenerator(SCALES["demo"], 3, password_hasher=lambda p: "x")
    by_country = {c.id: c.country for c in gen.companies}
    titles: dict[str, list[str | None]] = {}
    for batch in gen.batches():
        for row in batch.rows.get("people", []):
            titles.setdefault(by_country[row[3]], []).append(row[7])  # type: ignore[index]
        if batch.accounts_done >= 150:
            break
    german = " ".join(t for t in titles.get("DE", []) if t)
    assert any(word in german for word in ("Leiter", "Geschäftsführer", "Referent", "Vorstand"))
    every = [t for ts in titles.values() for t in ts]
    hidden = sum(1 for t in every if t is None) / len(every)
    assert 0.015 < hidden < 0.05


def _view(employees: int, depth: int, people: int, seed: int, warm: bool) -> AccountView:
    nodes = build_org(
        random.Random(seed),
        people=people,
        hierarchy="tall" if depth > 5 else "flat",
        span=3.4 if depth > 5 else 7.5,
        employees=employees,
        industry="banking" if depth > 5 else "software",
    )
    ids = list(range(1, len(nodes) + 1))
    return AccountView(
        account_id=1,
        short_name="Test",
        employees=employees,
        strategic=employees > 20_000,
        hierarchy=hierarchy_index(max(n.depth for n in nodes) + 1, employees),
        themes=("cost_efficiency",),
        people=ids,
        seniority=[n.seniority for n in nodes],
        function=[n.function for n in nodes],
        manager=[ids[n.manager] if n.manager >= 0 else -1 for n in nodes],
        known_by_us={i: [1] for i in ids} if warm else {},
    )


def _win_rates(view: AccountView, seed: int) -> tuple[float, float, float]:
    rng = random.Random(seed)
    companies = make_companies(rng, 10, 500)
    ours = build_our_org(rng, 40, companies)
    maker = DealMaker(
        model=CausalModel(),
        offerings=[Offering(1, "Platform", ("cost_efficiency",), ("finance", "technology"))],
        ours=ours,
        as_of=AS_OF,
        years=20,
        opportunities_per_account=4000 / (view.employees / 1_800) ** 0.25,
        activities_per_opportunity=1,
        external_id=make_id,
        stamp="2026-09-30 00:00:00.000000",
    )
    owner = next(p for p in ours if p.role == "account_executive")
    rows = maker.account_deals(rng, view, owner, owner.territory or "")
    closed = {r[0]: r for r in rows.opportunities if r[15]}
    outcome = Counter()
    for opp_id, _eb, _dms, early, _warm, _h, _p in rows.truth:
        if opp_id in closed:
            outcome[(early, closed[opp_id][16])] += 1

    def rate(early: bool) -> float:
        return outcome[(early, True)] / max(1, outcome[(early, True)] + outcome[(early, False)])

    engaged = sum(v for (e, _w), v in outcome.items() if e) / max(1, sum(outcome.values()))
    return rate(True), rate(False), engaged


def test_early_executive_engagement_pays_in_tall_accounts_not_in_flat_ones() -> None:
    tall = _view(80_000, 8, 600, seed=1, warm=False)
    flat = _view(150, 3, 30, seed=2, warm=False)
    assert tall.hierarchy > 0.8 and flat.hierarchy < 0.3
    tall_top, tall_other, _ = _win_rates(tall, 5)
    flat_top, flat_other, _ = _win_rates(flat, 6)
    assert tall_top - tall_other > 0.2
    assert abs(flat_top - flat_other) < 0.1


def test_a_warm_path_raises_executive_engagement() -> None:
    cold = _win_rates(_view(80_000, 8, 600, seed=1, warm=False), 5)[2]
    warm = _win_rates(_view(80_000, 8, 600, seed=1, warm=True), 5)[2]
    assert warm > cold * 2


def test_salesforce_ids_round_trip() -> None:
    assert to18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
    # two 15-character ids that differ only in case differ case-insensitively once made 18 long
    assert to18("001A0000006vm9r").lower() != to18("001A0000006Vm9r").lower()
    made = make_id("003", 123_456)
    assert len(made) == 18 and made.startswith("003")
    assert to18(to15(made)) == made
    assert make_id("003", 1) != make_id("003", 2)


def test_events_draw_executives_our_people_and_strangers() -> None:
    gen = WorldGenerator(SCALES["small"], 7, password_hasher=lambda p: "x")
    rows: dict[str, list[tuple[object, ...]]] = {}
    for batch in gen.batches():
        for table in ("events", "event_attendees", "truth_people"):
            rows.setdefault(table, []).extend(batch.rows.get(table, []))
    events = {r[0]: r for r in rows["events"]}
    assert 20 <= len(events) <= 30  # ten a year, two years back and half a year ahead
    days = [dt.date.fromisoformat(str(r[3])) for r in events.values()]
    assert min(days) >= AS_OF - dt.timedelta(days=730) and max(days) > AS_OF
    attendees = rows["event_attendees"]
    cols = COLUMNS["event_attendees"]
    person, seller = cols.index("person_id"), cols.index("seller_id")
    assert len({(r[1], r[3], r[5]) for r in attendees}) == len(attendees)  # unique per event
    assert all(r[1] in events for r in attendees)
    level = {r[0]: r[2] for r in rows["truth_people"]}
    people = Counter(level.values())
    went = Counter(level[r[person]] for r in attendees if r[person] is not None)
    top = (went["c_suite"] + went["board"]) / (people["c_suite"] + people["board"])
    bottom = went["individual_contributor"] / people["individual_contributor"]
    assert top > 10 * bottom  # executives are far more often on the lists
    ours = [r for r in attendees if r[seller] is not None]
    strangers = [r for r in attendees if r[seller] is None and r[person] is None]
    assert ours and strangers
    with_ours = {r[1] for r in ours}
    assert len(with_ours) >= 0.7 * len(events)  # our people go to most of them
