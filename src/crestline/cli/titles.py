"""``crestline titles classify``: seniority and function of job titles."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from crestline.cli.output import Format as TableFormat
from crestline.cli.output import print_json, print_rows

titles_app = typer.Typer(help="Job titles: seniority and function.", no_args_is_help=True)


class TitleFormat(StrEnum):
    tsv = "tsv"
    json = "json"
    table = "table"


def register(app: typer.Typer) -> None:
    app.add_typer(titles_app, name="titles")


@titles_app.command(
    "classify",
    epilog="Example: crestline titles classify 'SVP Sales EMEA' 'Leiterin Einkauf' --format json",
)
def classify(
    titles: list[str] | None = typer.Argument(
        None, metavar="[TITLE ...]", help="Titles; without any, lines from stdin."
    ),
    fmt: TitleFormat = typer.Option(TitleFormat.tsv, "--format", help="tsv, json or table."),
    lexicon: Path | None = typer.Option(None, help="A TOML file that extends the lexicon."),
) -> None:
    """Classify titles; one answer a title, in order (TSV: title, seniority, function, score)."""
    from crestline.services.decisions.titles import classify_titles

    lines = titles if titles else [line.rstrip("\r\n") for line in sys.stdin]
    results = classify_titles(lines, lexicon=lexicon)
    if fmt is TitleFormat.tsv:
        out = sys.stdout
        for line, r in zip(lines, results, strict=True):
            clean = line.replace("\t", " ")
            out.write(f"{clean}\t{r.seniority}\t{r.function}\t{r.confidence:.2f}\n")
    elif fmt is TitleFormat.json:
        print_json(
            [
                {
                    "title": r.title,
                    "seniority": r.seniority,
                    "function": r.function,
                    "confidence": r.confidence,
                    "normalised": r.normalised,
                    "rules": list(r.rules),
                }
                for r in results
            ]
        )
    else:
        rows = [
            {
                "title": r.title,
                "seniority": r.seniority,
                "function": r.function,
                "confidence": f"{r.confidence:.2f}",
            }
            for r in results
        ]
        print_rows(rows, ("title", "seniority", "function", "confidence"), TableFormat.table)
