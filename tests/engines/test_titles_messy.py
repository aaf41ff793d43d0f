"""The title classifier on messy, real-world forms: one table per kind of mess, and properties.

Each case is a title as CRM and LinkedIn data have it, with the level and function a person would
give it (DESIGN.md, "Title taxonomy").
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crestline.services.decisions.titles import classifier

DATA = Path(__file__).resolve().parent.parent / "data"

Case = tuple[str, str, str]


def cases(table: str) -> list[Case]:
    """``Title -> level function`` a line; a title with spaces around it is written quoted."""
    out: list[Case] = []
    for line in table.strip("\n").splitlines():
        title, answer = line.strip().rsplit(" -> ", 1)
        if title.startswith("'"):
            title = title[1:-1]
        level, function = answer.split()
        out.append((title, level, function))
    return out


def check(title: str, seniority: str, function: str) -> None:
    result = classifier().classify(title)
    assert (result.seniority, result.function) == (seniority, function), result.rules
    assert result.rules  # every answer says why


ABBREVIATIONS = cases(
    """
    SVP Finance -> evp finance
    EVP, Global Ops -> evp operations
    AVP, Claims Operations -> director operations
    Sr. Dir. Product Marketing -> director marketing
    Snr Mgr, Payroll -> manager human_resources
    HR Mgr -> manager human_resources
    Ops Mgr -> manager operations
    GM, Benelux -> director general_management
    MD, Investment Banking -> c_suite finance
    Mktg Dir -> director marketing
    Jr. Data Analyst -> entry data
    Stellv. Leiter Vertrieb -> manager sales
    GF -> c_suite general_management
    PDG -> c_suite general_management
    DAF -> c_suite finance
"""
)

HEADLINE_NOISE = cases(
    """
    VP Engineering | Building teams that ship -> vp technology
    Head of Growth @ Lumio -> director marketing
    Recruiter at Globex Corporation -> individual_contributor human_resources
    🚀 Founder & CEO 🚀 -> c_suite general_management
    Data Engineer 📊 | Python • SQL • Airflow -> individual_contributor data
    Key Account Manager (m/w/d) -> individual_contributor sales
    Directora de Marketing en Telefónica -> director marketing
    Gerente Comercial | Apaixonado por vendas 💙 -> manager sales
    Sales Director – DACH -> director sales
    Responsable Achats chez Renault -> manager procurement
    Stagiaire en finance -> entry finance
"""
)

# the highest role wins
COMBINED = cases(
    """
    CFO & COO -> c_suite finance
    CEO & Chairman -> board general_management
    Co-Founder & CTO -> c_suite technology
    Head of Product & Co-Founder -> c_suite product
    VP Sales / Head of Partnerships -> vp sales
    Director of Sales & Marketing -> director sales
    Finance & Ops Director -> director finance
    Vice President, Finance & Administration -> vp finance
    Chief Financial Officer | Board Member -> board finance
    Geschäftsführer und Gesellschafter -> c_suite general_management
    Fondateur et Président -> c_suite general_management
"""
)

# the level is kept
ACTING_INTERIM = cases(
    """
    Acting CFO -> c_suite finance
    Interim Head of HR -> director human_resources
    Interim VP Marketing -> vp marketing
    kommissarischer Leiter Einkauf -> director procurement
    Directeur Commercial par intérim -> director sales
    Direttore Generale ad interim -> c_suite general_management
    Gerente de Operaciones Interino -> manager operations
"""
)

# a former role is not the current one
FORMER = cases(
    """
    Head of Sales | ex-CFO -> director sales
    Former CEO, now Board Member -> board general_management
    Ex-Googler | Software Engineer -> individual_contributor technology
    Data Analyst (formerly Accountant) -> individual_contributor data
    ehem. Vertriebsleiter, jetzt Berater -> individual_contributor unknown
    Ancien DRH -> unknown unknown
    Former VP of Sales at Oracle -> unknown unknown
    Retired -> unknown unknown
"""
)

DEPUTY_ASSISTANT_ASSOCIATE = cases(
    """
    Deputy CEO -> evp general_management
    Deputy Head of Procurement -> manager procurement
    Deputy Director, Finance -> manager finance
    Stellvertretende Leiterin Personal -> manager human_resources
    Directeur Général Adjoint -> evp general_management
    Director Financiero Adjunto -> evp finance
    Plaatsvervangend Hoofd Inkoop -> manager procurement
    Assistant Director of Marketing -> manager marketing
    Assistant Vice President, Risk -> director risk_compliance
    Associate Director, Data Science -> director data
    Associate General Counsel -> director legal
    Assistant Manager, Customer Service -> manager customer_success
    Associate Product Manager -> individual_contributor product
    Marketing Associate -> individual_contributor marketing
    Assistant Buyer -> individual_contributor procurement
"""
)

# an assistant works in administration, not as their principal
ASSISTANT_TO = cases(
    """
    Assistant to the CEO -> individual_contributor administration
    Executive Assistant to the CEO & Founder -> individual_contributor administration
    EA to the CFO -> individual_contributor administration
    PA to the Managing Director -> individual_contributor administration
    Assistant to the VP of Engineering -> individual_contributor administration
    Assistentin der Geschäftsführung -> individual_contributor administration
    Assistante de direction -> individual_contributor administration
    Asistente del Director General -> individual_contributor administration
    Assistente dell'Amministratore Delegato -> individual_contributor administration
    Secretária Executiva do Presidente -> individual_contributor administration
    Chief of Staff to the CEO -> director strategy
    HR Assistant -> individual_contributor human_resources
"""
)

TYPOS = cases(
    """
    Vice Presdient Sales -> vp sales
    Cheif Operating Officer -> c_suite operations
    Markteing Manager -> manager marketing
    Softwre Engineer -> individual_contributor technology
    Head of Procurment -> director procurement
    Acountant -> individual_contributor finance
    Direcotr of Sales -> director sales
    Vetriebsleiter Nord -> director sales
    Responsable Logisitque -> manager supply_chain
"""
)

CASE_AND_UNICODE = cases(
    """
    CHIEF FINANCIAL OFFICER -> c_suite finance
    vice president, marketing -> vp marketing
    hEaD oF sAlEs -> director sales
    ＣＥＯ -> c_suite general_management
    Ｈｅａｄ ｏｆ Ｓａｌｅｓ -> director sales
    GESCHÄFTSFÜHRER -> c_suite general_management
    geschaeftsfuehrer -> c_suite general_management
    '  Sales   Manager  ' -> manager sales
    Directrice Générale Déléguée -> evp general_management
    Diretor de Operações -> director operations
"""
)

INDIVIDUAL_CONTRIBUTORS = cases(
    """
    Software Engineer -> individual_contributor technology
    Financial Analyst -> individual_contributor finance
    Staff Accountant -> individual_contributor finance
    Senior Buyer -> individual_contributor procurement
    Registered Nurse -> individual_contributor operations
    Management Consultant -> individual_contributor strategy
    Technical Recruiter -> individual_contributor human_resources
    Product Designer -> individual_contributor product
    Graphic Designer -> individual_contributor marketing
    Account Executive -> individual_contributor sales
    Customer Success Manager -> individual_contributor customer_success
    Paralegal -> individual_contributor legal
    Warehouse Operative -> individual_contributor supply_chain
    Buchhalterin -> individual_contributor finance
    Softwareentwickler -> individual_contributor technology
    Chargée de recrutement -> individual_contributor human_resources
    Analista de Datos -> individual_contributor data
    Inkoper -> individual_contributor procurement
    Analista Financeiro -> individual_contributor finance
    Sviluppatore Java -> individual_contributor technology
    Consultant -> individual_contributor unknown
"""
)

ENTRY_LEVEL = cases(
    """
    Marketing Intern -> entry marketing
    Graduate Trainee -> entry unknown
    Junior Developer -> entry technology
    Werkstudent Marketing -> entry marketing
    Auszubildende Industriekauffrau -> entry administration
    Stagiaire RH -> entry human_resources
    Alternant Acheteur -> entry procurement
    Becaria de Finanzas -> entry finance
    Stagiair Inkoop -> entry procurement
    Estagiário de TI -> entry technology
    Stagista Risorse Umane -> entry human_resources
    Apprentice Electrician -> entry operations
"""
)


TABLES: dict[str, list[Case]] = {
    "abbreviation": ABBREVIATIONS,
    "headline noise": HEADLINE_NOISE,
    "combined": COMBINED,
    "acting/interim": ACTING_INTERIM,
    "former": FORMER,
    "deputy/assistant/associate": DEPUTY_ASSISTANT_ASSOCIATE,
    "assistant to": ASSISTANT_TO,
    "typo": TYPOS,
    "case/unicode": CASE_AND_UNICODE,
    "individual contributor": INDIVIDUAL_CONTRIBUTORS,
    "entry level": ENTRY_LEVEL,
}


@pytest.mark.parametrize(
    ("kind", "title", "seniority", "function"),
    [
        pytest.param(kind, *case, id=f"{kind}: {case[0]}")
        for kind, table in TABLES.items()
        for case in table
    ],
)
def test_messy_titles(kind: str, title: str, seniority: str, function: str) -> None:
    check(title, seniority, function)
    if kind == "typo":  # found by repairing a word, not by luck
        rules = classifier().classify(title).rules
        assert any(r.startswith(("typo:", "compound:")) for r in rules)


def _titles() -> list[str]:
    out: list[str] = []
    for name in ("titles_labelled.tsv", "titles_heldout.tsv"):
        with (DATA / name).open(encoding="utf-8", newline="") as fh:
            out.extend(row["title"] for row in csv.DictReader(fh, delimiter="\t"))
    return out


TITLES = _titles()
COMPANIES = ["Acme Corp", "Globex", "Initech GmbH", "Umbrella S.A.", "Stark Industries", "Hooli"]
EMOJIS = ["🚀", "📈", "✨", "💼", "🔥", "🌍", "🤝"]


def _answer(title: str) -> tuple[str, str]:
    result = classifier().classify(title)
    return result.seniority, result.function


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TITLES), st.sampled_from(COMPANIES), st.sampled_from(["|", "@", "•"]))
def test_a_company_in_the_headline_changes_nothing(title: str, company: str, sep: str) -> None:
    assert _answer(f"{title} {sep} {company}") == _answer(title)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TITLES), st.sampled_from(EMOJIS), st.booleans())
def test_an_emoji_changes_nothing(title: str, emoji: str, before: bool) -> None:
    noisy = f"{emoji} {title}" if before else f"{title} {emoji}"
    assert _answer(noisy) == _answer(title)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TITLES), st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))
def test_case_does_not_matter(title: str, change: object) -> None:
    assert callable(change)
    assert _answer(change(title)) == _answer(title)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gets_an_answer(text: str) -> None:
    result = classifier().classify(text)
    assert result.seniority in {*LEVELS, "unknown"}
    assert 0 <= result.confidence <= 1


LEVELS = ("board", "c_suite", "evp", "vp", "director", "manager", "individual_contributor", "entry")
