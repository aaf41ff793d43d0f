"""Benchmark: importing an enterprise-scale Salesforce export, against raw inserts of the same rows.

    python benchmarks/bench_import.py                # enterprise: ~2M contacts, SQLite, PostgreSQL
    python benchmarks/bench_import.py --scale demo     # a quick run

1. The export: User.csv, Account.csv and Contact.csv of the demo world at the scale, written from
   the generator as Salesforce's Data Loader writes them (18-character ids, CRLF).
2. Crestline: ``crestline import salesforce DIR`` in a child process into a fresh database —
   reading, parsing, validating, resolving references (accounts, reports-to lines with cycle
   checks) and writing, in one transaction. Rows/s and the child's peak memory.
3. The baseline, in the same run: the same rows, already parsed into tuples in memory, inserted
   into a fresh database with the same schema by raw ``sqlite3`` ``executemany`` (for PostgreSQL:
   raw psycopg ``COPY``). Goal: Crestline at least 0.4x the baseline's rows/s.
Results are printed and written to bench-results/import-<scale>.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crestline.db.database import SQLITE_CACHE_KIB, open_database  # noqa: E402
from crestline.demo.scales import SCALES  # noqa: E402
from crestline.demo.world import COLUMNS, WorldGenerator  # noqa: E402
from crestline.ingest.sfid import make_id  # noqa: E402

# the columns of the generator's rows that a Salesforce Contact export carries
PEOPLE = tuple(c for c in COLUMNS["people"] if c not in ("country", "company_name"))
ACCOUNTS = (
    "id",
    "source",
    "external_id",
    "name",
    "domain",
    "industry",
    "employees",
    "country",
    "updated_at",
)


def write_export(scale: str, folder: Path) -> dict[str, Any]:
    """The export files, and the same rows as tuples for the baseline."""
    gen = WorldGenerator(SCALES[scale], 7, password_hasher=lambda p: p)
    people_cols = {c: i for i, c in enumerate(COLUMNS["people"])}
    account_cols = {c: i for i, c in enumerate(COLUMNS["accounts"])}
    baseline: dict[str, list[tuple[Any, ...]]] = {"accounts": [], "people": []}
    started = time.perf_counter()
    with (
        (folder / "User.csv").open("w", encoding="utf-8", newline="") as users,
        (folder / "Account.csv").open("w", encoding="utf-8", newline="") as accounts,
        (folder / "Contact.csv").open("w", encoding="utf-8", newline="") as contacts,
    ):
        u = csv.writer(users, lineterminator="\r\n")
        a = csv.writer(accounts, lineterminator="\r\n")
        c = csv.writer(contacts, lineterminator="\r\n")
        u.writerow(["Id", "FirstName", "LastName", "Email", "Title", "ManagerId", "IsActive"])
        a.writerow(
            ["Id", "Name", "Industry", "NumberOfEmployees", "Website", "BillingCountry", "OwnerId"]
        )
        c.writerow(
            [
                "Id",
                "AccountId",
                "FirstName",
                "LastName",
                "Title",
                "Department",
                "Email",
                "Phone",
                "ReportsToId",
                "LinkedIn_URL__c",
            ]
        )
        for batch in gen.batches():
            for row in batch.rows.get("sellers", []):
                u.writerow(
                    [
                        row[2],
                        row[3],
                        row[4],
                        row[11],
                        row[6],
                        make_id("005", row[12]) if row[12] else "",
                        "true",
                    ]
                )
            for row in batch.rows.get("accounts", []):
                a.writerow(
                    [
                        row[2],
                        row[3],
                        row[5],
                        row[6],
                        f"https://www.{row[4]}",
                        row[9],
                        make_id("005", row[12]) if row[12] else "",
                    ]
                )
                baseline["accounts"].append(tuple(row[account_cols[k]] for k in ACCOUNTS))
            for row in batch.rows.get("people", []):
                p = {k: row[i] for k, i in people_cols.items()}
                c.writerow(
                    [
                        p["external_id"],
                        make_id("001", p["account_id"]),
                        p["first_name"],
                        p["last_name"],
                        p["title"] or "",
                        p["department"] or "",
                        p["email"] or "",
                        p["phone"] or "",
                        make_id("003", p["reports_to_id"]) if p["reports_to_id"] else "",
                        p["linkedin_url"] or "",
                    ]
                )
                baseline["people"].append(tuple(p[k] for k in PEOPLE))
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "contacts": len(baseline["people"]),
        "accounts": len(baseline["accounts"]),
        "bytes": sum(f.stat().st_size for f in folder.glob("*.csv")),
        "baseline": baseline,
    }


def crestline_import(db: str, folder: Path) -> dict[str, Any]:
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "crestline",
            "--db",
            db,
            "import",
            "salesforce",
            str(folder),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stderr.strip()}")
    summary = json.loads(proc.stdout)
    rows = sum(o["read"] for o in summary["objects"].values())
    insights = float(summary.get("insights", {}).get("seconds", 0.0))
    return {
        "seconds": round(seconds, 1),
        "rows": rows,
        "rows_per_second": round(rows / seconds),
        # the decision-maker insights computed before the import commits (titles, org charts,
        # power for every account): part of the import, but not of writing the rows
        "insights_seconds": round(insights, 1),
        "rows_per_second_without_insights": round(rows / max(seconds - insights, 1e-9)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "rejected": sum(o["rejected"] for o in summary["objects"].values()),
    }


def raw_sqlite(path: Path, baseline: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    open_database(str(path)).close()  # the same schema and indexes
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "foreign_keys=ON",
        f"cache_size=-{SQLITE_CACHE_KIB}",
    ):
        conn.execute(f"PRAGMA {pragma}")
    started = time.perf_counter()
    conn.execute("BEGIN")
    for table, columns in (("accounts", ACCOUNTS), ("people", PEOPLE)):
        marks = ", ".join("?" for _ in columns)
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", baseline[table]
        )
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    rows = len(baseline["accounts"]) + len(baseline["people"])
    return {"seconds": round(seconds, 1), "rows": rows, "rows_per_second": round(rows / seconds)}


def raw_postgres(url: str, baseline: dict[str, list[tuple[Any, ...]]]) -> dict[str, Any]:
    import psycopg

    open_database(url).close()
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    started = time.perf_counter()
    with psycopg.connect(plain) as conn, conn.cursor() as cur:
        for table, columns in (("accounts", ACCOUNTS), ("people", PEOPLE)):
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in baseline[table]:
                    copy.write_row(row)
    seconds = time.perf_counter() - started
    rows = len(baseline["accounts"]) + len(baseline["people"])
    return {"seconds": round(seconds, 1), "rows": rows, "rows_per_second": round(rows / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="enterprise", choices=sorted(SCALES))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--keep", type=Path, help="Keep the export (and the baseline rows) here, and reuse them."
    )
    args = parser.parse_args()
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    results: dict[str, Any] = {"scale": args.scale, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="crestline-import-bench-") as tmp:
        folder = args.keep or Path(tmp) / "export"
        kept = folder / "baseline.pickle"
        if args.keep and kept.exists():
            print(f"reusing the export in {folder}", flush=True)
            with kept.open("rb") as fh:
                export = pickle.load(fh)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            print(f"writing the {args.scale} export …", flush=True)
            export = write_export(args.scale, folder)
            if args.keep:
                with kept.open("wb") as fh:
                    pickle.dump(export, fh, protocol=pickle.HIGHEST_PROTOCOL)
        baseline = export.pop("baseline")
        results["export"] = export
        print(json.dumps(export), flush=True)
        print("SQLite: raw executemany …", flush=True)
        raw = raw_sqlite(Path(tmp) / "raw.db", baseline)
        print("SQLite: crestline import salesforce …", flush=True)
        ours = crestline_import(str(Path(tmp) / "ours.db"), folder)
        results["sqlite"] = {
            "raw": raw,
            "crestline": ours,
            "ratio": round(ours["rows_per_second"] / raw["rows_per_second"], 3),
            "ratio_without_insights": round(
                ours["rows_per_second_without_insights"] / raw["rows_per_second"], 3
            ),
            "goal": ">= 0.4",
        }
        print(json.dumps(results["sqlite"], indent=2), flush=True)
        if not args.no_postgres:
            from tests.conftest import PostgresCluster, _pg_bin

            bindir = _pg_bin()
            if bindir is None:
                print("PostgreSQL is not installed: skipped", flush=True)
            else:
                cluster = PostgresCluster(bindir)
                cluster.start()
                try:
                    print("PostgreSQL: raw COPY …", flush=True)
                    raw_pg = raw_postgres(cluster.create_database(), baseline)
                    print("PostgreSQL: crestline import salesforce …", flush=True)
                    ours_pg = crestline_import(cluster.create_database(), folder)
                    results["postgresql"] = {
                        "raw_copy": raw_pg,
                        "crestline": ours_pg,
                        "ratio": round(ours_pg["rows_per_second"] / raw_pg["rows_per_second"], 3),
                        "ratio_without_insights": round(
                            ours_pg["rows_per_second_without_insights"] / raw_pg["rows_per_second"],
                            3,
                        ),
                    }
                    print(json.dumps(results["postgresql"], indent=2), flush=True)
                finally:
                    cluster.stop()
    (out / f"import-{args.scale}.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out / f'import-{args.scale}.json'}")


if __name__ == "__main__":
    main()
