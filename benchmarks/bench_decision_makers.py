"""Benchmark: decision-makers against the demo world's hidden truth, and the incremental refresh.

    python benchmarks/bench_decision_makers.py                  # demo scale (400 accounts)
    python benchmarks/bench_decision_makers.py --scale small    # a quick run
    python benchmarks/bench_decision_makers.py --db world.db    # an existing demo world

1. Accuracy (``services/demo/truth_scores.py``): of the reporting lines the demo world hid
   (15 %), the share Crestline infers exactly right and the share it hangs under a true
   ancestor; for every opportunity, whether the true economic buyer is in the top 3 of that
   opportunity's power ranking, blind — the opportunity's own recorded roles and touches hidden
   from the engine (goal: >= 90 %) — and, for comparison only, with the CRM's roles on it.
2. Refresh: every account recomputed (``force``), then nothing changed (fingerprints only), then
   one person's title changed — the incremental runs as a ratio of the full one, same run.
Results are printed and written to bench-results/decision-makers-<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, update

from crestline.db.models import Person
from crestline.demo.scales import SCALES
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.decisions.insights import refresh_insights
from crestline.services.demo.setup import build_demo_world, open_db
from crestline.services.demo.truth_scores import score_against_truth

ROOT = Path(__file__).resolve().parent.parent


def timed_refresh(db_path: str, *, force: bool, change: bool = False) -> dict[str, object]:
    database = open_db(db_path)
    try:
        with database.engine.connect() as conn, conn.begin() as tx:
            if change:
                first = conn.execute(select(Person.id).order_by(Person.id).limit(1)).scalar_one()
                conn.execute(update(Person).where(Person.id == first).values(title="Group CFO"))
            started = time.perf_counter()
            summary = refresh_insights(conn, force=force)
            seconds = time.perf_counter() - started
            tx.rollback()
    finally:
        database.close()
    return {"seconds": round(seconds, 3), **summary.as_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo", choices=sorted(SCALES))
    parser.add_argument("--db", help="an existing demo-world SQLite file (else one is built)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or str(Path(tmp) / "world.db")
        if not args.db:
            database = open_db(path)
            started = time.perf_counter()
            build_demo_world(database, LOCAL_ADMIN, scale=SCALES[args.scale], seed=7)
            print(f"demo world ({args.scale}) built in {time.perf_counter() - started:.1f} s")
            database.close()
        database = open_db(path)
        started = time.perf_counter()
        with database.engine.connect() as conn:
            scores = score_against_truth(conn)
        scoring = time.perf_counter() - started
        database.close()
        full = timed_refresh(path, force=True)
        none = timed_refresh(path, force=False)
        one = timed_refresh(path, force=False, change=True)
    full_s = float(full["seconds"])  # type: ignore[arg-type]
    results: dict[str, object] = {
        "scale": args.scale,
        "accuracy": scores.as_dict(),
        "accuracy_goal": {"buyer_top3_blind": ">= 0.90"},
        "accuracy_goal_met": scores.buyer_top3_blind >= 0.90,
        "scoring_seconds": round(scoring, 1),
        "refresh_full": full,
        "refresh_nothing_changed": none,
        "refresh_one_title_changed": one,
        "incremental_vs_full": {
            "nothing_changed": round(float(none["seconds"]) / full_s, 3),  # type: ignore[arg-type]
            "one_title_changed": round(float(one["seconds"]) / full_s, 3),  # type: ignore[arg-type]
        },
        "people_per_second_full": round(int(full["people"]) / full_s),  # type: ignore[call-overload]
    }
    print(json.dumps(results, indent=2))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"decision-makers-{args.scale}.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
