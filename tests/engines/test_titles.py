"""The title classifier: the taxonomy's rules, title by title, and the labelled set."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crestline.services.decisions.titles import classifier

LABELLED = Path(__file__).resolve().parent.parent / "data" / "titles_labelled.tsv"
HELDOUT = LABELLED.with_name("titles_heldout.tsv")


@pytest.mark.parametrize(
    ("title", "seniority", "function"),
    [
        ("Chief Executive Officer", "c_suite", "general_management"),
        ("CFO & COO", "c_suite", "finance"),  # a combined title takes its highest role
        ("VP Sales | SaaS | Growth", "vp", "sales"),  # headline noise
        ("Head of IT @ Acme", "director", "technology"),
        ("Assistant to the CEO", "individual_contributor", "administration"),  # not the CEO
        ("Executive Assistant to the CFO", "individual_contributor", "administration"),
        ("Sr. Dir. Finance EMEA", "director", "finance"),  # abbreviations
        ("Mgr Ops", "manager", "operations"),
        ("Deputy CFO", "evp", "finance"),  # a deputy is one level below
        ("Interim CFO", "c_suite", "finance"),  # acting and interim keep the level
        ("Head of Sales | ex-CFO", "director", "sales"),  # a former role is not the current one
        ("Vorstandsvorsitzende", "c_suite", "general_management"),
        ("Leiter IT Infrastruktur", "director", "technology"),
        ("Teamleiter Einkauf", "manager", "procurement"),
        ("Directeur Financier", "c_suite", "finance"),
        ("Responsable des achats", "manager", "procurement"),
        ("Jefe de Ventas", "manager", "sales"),
        ("Werkstudent Marketing", "entry", "marketing"),
        ("Product Manager", "individual_contributor", "product"),  # manages a product
        ("Key Account Manager DACH", "individual_contributor", "sales"),
        ("Vice Presdient Sales", "vp", "sales"),  # a typo
        ("Member of the Supervisory Board", "board", "general_management"),
        ("President, Americas", "evp", "general_management"),  # a division president
        ("Hoofd Inkoop", "director", "procurement"),
        ("Gerente de Logística", "manager", "supply_chain"),
        ("Responsabile Marketing", "manager", "marketing"),
        ("CISO", "c_suite", "security"),
        ("General Counsel", "c_suite", "legal"),
        ("", "unknown", "unknown"),
        ("n/a", "unknown", "unknown"),
    ],
)
def test_rules(title: str, seniority: str, function: str) -> None:
    result = classifier().classify(title)
    assert (result.seniority, result.function) == (seniority, function), result.rules
    assert result.rules  # every answer says why


def test_answers_are_memoised_and_explained() -> None:
    engine = classifier()
    first = engine.classify("SVP, Global Supply Chain")
    assert engine.classify("SVP, Global Supply Chain") is first
    assert first.seniority == "evp" and first.function == "supply_chain"
    assert 0 < first.confidence <= 1


def accuracy(path: Path) -> tuple[int, float, float]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    engine = classifier()
    right_level = right_function = 0
    for row in rows:
        result = engine.classify(row["title"])
        right_level += result.seniority == row["seniority"]
        right_function += result.function == row["function"]
    return len(rows), right_level / len(rows), right_function / len(rows)


def test_accuracy_on_the_labelled_set() -> None:
    size, level, function = accuracy(LABELLED)
    assert size >= 800
    # floors against regressions (measured 99.5 % and 98.6 %); the targets are 97 % and 93 %
    assert level >= 0.985
    assert function >= 0.975


def test_accuracy_on_the_held_out_set() -> None:
    """Titles written apart from the labelled set and never used to tune: gains must carry over."""
    size, level, function = accuracy(HELDOUT)
    assert size >= 600
    assert level >= 0.985  # measured 99.6 %
    assert function >= 0.975  # measured 98.5 %
