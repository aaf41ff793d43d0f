"""Benchmark: demo-world generation at a scale, and Crestline's bulk insert against raw sqlite3.

    python benchmarks/bench_demo.py --scale enterprise      # what `make bench` runs
    python benchmarks/bench_demo.py --scale demo            # a quick run

1. Generation: ``crestline demo --no-serve`` in a child process into a fresh SQLite file; wall time,
   the child's peak resident memory, the database size, and the row counts.
2. Insert rate: the same rows (people, as the demo writes them) inserted into two fresh databases
   with the same schema and indexes, once through Crestline's bulk path (SQLAlchemy connection,
   one transaction) and once through raw ``sqlite3`` ``executemany`` — in the same run, and
   reported as a ratio (goal: at least 0.5x raw).
Results are printed and written to bench-results/demo-<scale>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crestline.db.bulk import bulk_insert
from crestline.db.database import SQLITE_CACHE_KIB, open_database
from crestline.db.models import Base
from crestline.demo.scales import SCALES
from crestline.demo.world import COLUMNS, WorldGenerator

ROOT = Path(__file__).resolve().parent.parent


def generation(scale: str, folder: Path, keep: Path | None = None) -> dict[str, object]:
    db = folder / f"{scale}.db"
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "crestline",
            "--db",
            str(db),
            "demo",
            "--scale",
            scale,
            "--no-serve",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"generation failed: {proc.stderr.strip()}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    size = sum(p.stat().st_size for p in folder.glob(f"{scale}.db*"))
    with sqlite3.connect(db) as conn:
        counts = {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in (
                "accounts",
                "people",
                "sellers",
                "connections",
                "opportunities",
                "contact_roles",
                "activities",
                "activity_people",
                "documents",
            )
        }
    rows = sum(counts.values())
    if keep is not None:  # for the benchmarks that read a world (bench_paths.py --db)
        keep.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.replace(keep)
    else:
        db.unlink()
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(max(peak_kib, before) / 1024, 1),
        "database_mb": round(size / 2**20, 1),
        "rows": counts,
        "rows_per_second": round(rows / seconds),
        "summary": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "",
    }


def people_rows(limit: int) -> list[tuple[object, ...]]:
    """The people rows of the first accounts of the enterprise world, as the demo writes them."""
    gen = WorldGenerator(SCALES["enterprise"], 7, password_hasher=lambda p: p)
    rows: list[tuple[object, ...]] = []
    for batch in gen.batches():
        rows.extend(batch.rows.get("people", []))
        if len(rows) >= limit:
            return rows[:limit]
    return rows


def insert_rates(n: int, folder: Path) -> dict[str, object]:
    rows = people_rows(n)
    columns = COLUMNS["people"]

    def fresh(name: str) -> Path:
        path = folder / name
        open_database(str(path)).close()
        return path

    # Accounts must exist for the foreign key: load the enterprise accounts into both.
    gen = WorldGenerator(SCALES["enterprise"], 7, password_hasher=lambda p: p)
    header = gen.header()

    def prepare(path: Path) -> None:
        with sqlite3.connect(path) as conn:
            for table in ("sellers", "accounts"):
                cols = COLUMNS[table]
                conn.executemany(
                    f'INSERT INTO "{table}" ({", ".join(cols)}) '
                    f"VALUES ({', '.join('?' for _ in cols)})",
                    header.rows[table],
                )

    raw_path, ours_path = fresh("raw.db"), fresh("ours.db")
    prepare(raw_path)
    prepare(ours_path)

    conn = sqlite3.connect(raw_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")  # the same settings Crestline uses
    sql = f'INSERT INTO "people" ({", ".join(columns)}) VALUES ({", ".join("?" for _ in columns)})'
    started = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(sql, rows)
    conn.execute("COMMIT")
    raw_seconds = time.perf_counter() - started
    conn.close()

    db = open_database(str(ours_path))
    started = time.perf_counter()
    with db.engine.begin() as sa_conn:
        bulk_insert(sa_conn, Base.metadata.tables["people"], columns, iter(rows))
    ours_seconds = time.perf_counter() - started
    db.close()
    raw_rate, ours_rate = len(rows) / raw_seconds, len(rows) / ours_seconds
    return {
        "rows": len(rows),
        "raw_sqlite3_rows_per_second": round(raw_rate),
        "crestline_rows_per_second": round(ours_rate),
        "ratio_vs_raw": round(ours_rate / raw_rate, 3),
        "goal": ">= 0.5",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="enterprise", choices=sorted(SCALES))
    parser.add_argument("--insert-rows", type=int, default=500_000)
    parser.add_argument("--skip-generation", action="store_true")
    parser.add_argument("--keep", type=Path, help="Keep the generated world's database here.")
    args = parser.parse_args()
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    results: dict[str, object] = {"scale": args.scale, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(
        prefix="crestline-bench-", dir=os.environ.get("TMPDIR")
    ) as tmp:
        folder = Path(tmp)
        print(f"insert rate: {args.insert_rows:,} people rows …", flush=True)
        results["insert"] = insert_rates(args.insert_rows, folder)
        print(json.dumps(results["insert"], indent=2), flush=True)
        if not args.skip_generation:
            print(f"generation at scale {args.scale} …", flush=True)
            results["generation"] = generation(args.scale, folder, args.keep)
            print(json.dumps(results["generation"], indent=2), flush=True)
    (out_dir / f"demo-{args.scale}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out_dir / f'demo-{args.scale}.json'}")


if __name__ == "__main__":
    main()
