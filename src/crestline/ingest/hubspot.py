"""HubSpot UI exports: companies, contacts and deals, as CSV or Excel, with label headers in
English, German, Spanish or French.

Files are recognised by their headers, not their names (HubSpot names them like
``hubspot-crm-exports-all-deals-2026-11-20.csv``). Associations come as ``Associated Company IDs``
(several, ``;``-separated); owners as names; deal stages as labels or internal ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crestline.ingest import values
from crestline.ingest.columns import Column, ObjectSpec
from crestline.ingest.tabular import Table, normalise_header, open_table

# The default sales pipeline's stages, by internal id and by label.
STAGES = {
    "appointmentscheduled": ("Appointment Scheduled", False, False),
    "qualifiedtobuy": ("Qualified To Buy", False, False),
    "presentationscheduled": ("Presentation Scheduled", False, False),
    "decisionmakerboughtin": ("Decision Maker Bought-In", False, False),
    "contractsent": ("Contract Sent", False, False),
    "closedwon": ("Closed Won", True, True),
    "closedlost": ("Closed Lost", True, False),
}
# hs_buying_role values → the contact-role vocabulary Crestline uses (Salesforce's picklist).
BUYING_ROLES = {
    "DECISION_MAKER": "Decision Maker",
    "BUDGET_HOLDER": "Economic Buyer",
    "CHAMPION": "Champion",
    "INFLUENCER": "Influencer",
    "END_USER": "Business User",
    "BLOCKER": "Blocker",
    "EXECUTIVE_SPONSOR": "Executive Sponsor",
    "LEGAL_AND_COMPLIANCE": "Legal and Compliance",
    "OTHER": "Other",
}

# Every header the importer reads, by column key and by language: HubSpot writes its export's
# column labels in the exporting user's language. The first English spelling names the column in
# messages. Headers are compared after ``normalise_header`` (case and spaces), and ``H`` adds the
# spellings without accents and with either apostrophe.
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "record_id": {
        "en": ("Record ID",),
        "de": ("Datensatz-ID", "Datensatz ID"),
        "es": ("ID del registro", "ID de registro"),
        "fr": ("ID de fiche d'informations", "ID de l'enregistrement", "ID d'enregistrement"),
    },
    "company_id": {
        "en": ("Company ID",),
        "de": ("Unternehmens-ID", "Firmen-ID"),
        "es": ("ID de empresa", "ID de la empresa"),
        "fr": ("ID d'entreprise", "ID de l'entreprise"),
    },
    "contact_id": {
        "en": ("Contact ID",),
        "de": ("Kontakt-ID",),
        "es": ("ID de contacto", "ID del contacto"),
        "fr": ("ID de contact", "ID du contact"),
    },
    "deal_id": {
        "en": ("Deal ID",),
        "de": ("Deal-ID",),
        "es": ("ID del negocio", "ID de negocio"),
        "fr": ("ID de la transaction", "ID de transaction"),
    },
    "object_id": {"en": ("hs_object_id",)},
    "company_name": {
        "en": ("Company name", "Name"),
        "de": ("Firmenname", "Unternehmensname", "Name des Unternehmens"),
        "es": ("Nombre de la empresa", "Nombre de empresa"),
        "fr": ("Nom de l'entreprise", "Nom d'entreprise"),
    },
    "domain": {
        "en": ("Company Domain Name", "Website URL", "Domain"),
        "de": (
            "Domain-Name des Unternehmens",
            "Unternehmensdomain-Name",
            "Unternehmensdomain",
            "Website-URL",
            "Domain",
        ),
        "es": ("Nombre de dominio de la empresa", "URL del sitio web", "Dominio"),
        "fr": ("Nom de domaine de l'entreprise", "URL du site web", "Domaine"),
    },
    "industry": {
        "en": ("Industry",),
        "de": ("Branche",),
        "es": ("Sector", "Industria"),
        "fr": ("Secteur d'activité", "Secteur", "Industrie"),
    },
    "employees": {
        "en": ("Number of Employees",),
        "de": ("Anzahl der Mitarbeiter", "Anzahl der Mitarbeitenden", "Mitarbeiterzahl"),
        "es": ("Número de empleados",),
        "fr": ("Nombre d'employés", "Nombre de salariés"),
    },
    "annual_revenue": {
        "en": ("Annual Revenue",),
        "de": ("Jahresumsatz",),
        "es": ("Ingresos anuales",),
        "fr": ("Chiffre d'affaires annuel",),
    },
    "country": {
        "en": ("Country/Region", "Country"),
        "de": ("Land/Region", "Land"),
        "es": ("País/región", "País/Región", "País"),
        "fr": ("Pays/région", "Pays/Région", "Pays"),
    },
    "city": {"en": ("City",), "de": ("Stadt", "Ort"), "es": ("Ciudad",), "fr": ("Ville",)},
    "company_owner": {
        "en": ("Company owner", "Owner"),
        "de": ("Unternehmensinhaber", "Firmeninhaber", "Inhaber"),
        "es": ("Propietario de la empresa", "Propietario"),
        "fr": ("Propriétaire de l'entreprise", "Propriétaire"),
    },
    "first_name": {"en": ("First Name",), "de": ("Vorname",), "es": ("Nombre",), "fr": ("Prénom",)},
    "last_name": {
        "en": ("Last Name",),
        "de": ("Nachname",),
        "es": ("Apellidos", "Apellido"),
        "fr": ("Nom", "Nom de famille"),
    },
    "email": {
        "en": ("Email",),
        "de": ("E-Mail", "E-Mail-Adresse"),
        "es": ("Correo", "Correo electrónico"),
        "fr": ("E-mail", "Adresse e-mail", "Courriel"),
    },
    "phone": {
        "en": ("Phone Number", "Phone"),
        "de": ("Telefonnummer", "Telefon"),
        "es": ("Número de teléfono", "Teléfono"),
        "fr": ("Numéro de téléphone", "Téléphone"),
    },
    "job_title": {
        "en": ("Job Title",),
        "de": ("Jobtitel", "Berufsbezeichnung", "Position"),
        "es": ("Cargo", "Puesto de trabajo"),
        "fr": ("Intitulé du poste", "Poste", "Fonction"),
    },
    "associated_company_ids": {
        "en": ("Associated Company IDs", "Associated Company ID", "Company IDs"),
        "de": ("Zugehörige Unternehmens-IDs", "Zugehörige Unternehmens-ID", "Unternehmens-IDs"),
        "es": ("ID de empresas asociadas", "ID de empresa asociada", "IDs de empresas asociadas"),
        "fr": (
            "ID des entreprises associées",
            "ID d'entreprise associée",
            "ID de l'entreprise associée",
        ),
    },
    "associated_contact_ids": {
        "en": ("Associated Contact IDs", "Associated Contact ID", "Contact IDs"),
        "de": ("Zugehörige Kontakt-IDs", "Zugehörige Kontakt-ID", "Kontakt-IDs"),
        "es": (
            "ID de contactos asociados",
            "ID de contacto asociado",
            "IDs de contactos asociados",
        ),
        "fr": ("ID des contacts associés", "ID de contact associé", "ID du contact associé"),
    },
    "buying_role": {
        "en": ("Buying Role", "Buying Roles", "hs_buying_role"),
        "de": ("Einkaufsrolle", "Kaufrolle", "Rolle im Einkaufsprozess"),
        "es": ("Función de compra", "Rol de compra", "Rol en la compra"),
        "fr": ("Rôle d'achat", "Rôle dans l'achat"),
    },
    "linkedin_url": {
        "en": ("LinkedIn URL", "LinkedIn Profile", "linkedin_url"),
        "de": ("LinkedIn-URL", "LinkedIn-Profil"),
        "es": ("URL de LinkedIn", "Perfil de LinkedIn"),
        "fr": ("URL LinkedIn", "URL de LinkedIn", "Profil LinkedIn"),
    },
    "deal_name": {
        "en": ("Deal Name",),
        "de": ("Name des Deals", "Deal-Name", "Dealname"),
        "es": ("Nombre del negocio", "Nombre de negocio"),
        "fr": ("Nom de la transaction", "Nom de transaction"),
    },
    "deal_stage": {
        "en": ("Deal Stage",),
        "de": ("Deal-Phase", "Dealphase", "Phase des Deals"),
        "es": ("Etapa del negocio", "Etapa de negocio"),
        "fr": ("Phase de la transaction", "Étape de la transaction", "Phase de transaction"),
    },
    "close_date": {
        "en": ("Close Date",),
        "de": ("Abschlussdatum",),
        "es": ("Fecha de cierre",),
        "fr": ("Date de fermeture", "Date de clôture"),
    },
    "create_date": {
        "en": ("Create Date",),
        "de": ("Erstellungsdatum", "Erstelldatum"),
        "es": ("Fecha de creación",),
        "fr": ("Date de création",),
    },
    "amount": {
        "en": ("Amount",),
        "de": ("Betrag",),
        "es": ("Importe", "Cantidad", "Monto"),
        "fr": ("Montant",),
    },
    "currency": {
        "en": ("Currency", "Deal currency code"),
        "de": ("Währung", "Währungscode des Deals"),
        "es": ("Moneda", "Código de moneda del negocio"),
        "fr": ("Devise", "Code de devise de la transaction"),
    },
    "pipeline": {
        "en": ("Pipeline",),
        "de": ("Pipeline",),
        "es": ("Pipeline", "Embudo"),
        "fr": ("Pipeline",),
    },
    "deal_type": {
        "en": ("Deal Type",),
        "de": ("Deal-Typ", "Dealtyp"),
        "es": ("Tipo de negocio",),
        "fr": ("Type de transaction",),
    },
    "deal_owner": {
        "en": ("Deal owner", "Owner"),
        "de": ("Deal-Inhaber", "Dealinhaber", "Inhaber"),
        "es": ("Propietario del negocio", "Propietario"),
        "fr": ("Propriétaire de la transaction", "Propriétaire"),
    },
}
# Deal stage labels of the default pipeline that close a deal, by language (compared in lower
# case without accents); other labels are closed when they start with a closing word.
CLOSED_STAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "won": {
        "en": ("closed won", "won"),
        "de": ("abgeschlossen und gewonnen", "abgeschlossen gewonnen", "gewonnen"),
        "es": ("cerrado ganado", "cerrada ganada", "cerrado y ganado", "ganado"),
        "fr": ("conclue gagnee", "conclu gagne", "fermee gagnee", "gagnee", "gagne"),
    },
    "lost": {
        "en": ("closed lost", "lost"),
        "de": ("abgeschlossen und verloren", "abgeschlossen verloren", "verloren"),
        "es": ("cerrado perdido", "cerrada perdida", "cerrado y perdido", "perdido"),
        "fr": ("conclue perdue", "conclu perdu", "fermee perdue", "perdue", "perdu"),
    },
}
CLOSING_WORDS = ("closed", "abgeschlossen", "cerrado", "cerrada", "conclu", "ferme")


def _plain(text: str) -> str:
    """``text`` without accents (é → e, ü → u)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def H(*keys: str) -> tuple[str, ...]:
    """The headers of the columns ``keys`` in every language, English first, each also written
    without accents and with either apostrophe."""
    out: dict[str, None] = {}
    for key in keys:
        for spellings in HEADERS[key].values():
            for header in spellings:
                for form in (header, _plain(header)):
                    out[form] = None
                    out[form.replace("'", "\u2019")] = None
    return tuple(out)


def header_keys(*keys: str) -> frozenset[str]:
    return frozenset(normalise_header(h) for h in H(*keys))


def _stage_words(outcome: str) -> frozenset[str]:
    return frozenset(w for words in CLOSED_STAGES[outcome].values() for w in words)


WON_STAGES = _stage_words("won")
LOST_STAGES = _stage_words("lost")


def record_id(value: str) -> str:
    v = value.strip().removesuffix(".0")
    if not v.isdigit():
        raise ValueError(f"{value!r} is not a HubSpot record id")
    return v


def money(value: str, decimal_comma: bool | None = None) -> int:
    return values.to_minor(values.parse_decimal(value, decimal_comma))


def id_list(value: str) -> tuple[str, ...]:
    return tuple(record_id(p) for p in re.split(r"[;,]", value) if p.strip())


def stage(value: str) -> tuple[str, bool, bool]:
    """(label, closed, won) of a deal stage written as a label or an internal id."""
    v = value.strip()
    key = re.sub(r"[^a-z]", "", v.lower())
    if key in STAGES:
        return STAGES[key]
    low = " ".join(re.sub(r"[^\w]+", " ", _plain(v).lower()).split())
    won = low in WON_STAGES
    return v, won or low in LOST_STAGES or low.startswith(CLOSING_WORDS), won


def buying_roles(value: str) -> tuple[str, ...]:
    out = []
    for part in re.split(r"[;,]", value):
        key = "_".join(part.strip().upper().replace("-", " ").split())
        if key:
            out.append(BUYING_ROLES.get(key, part.strip().title()))
    return tuple(out)


COMPANY = ObjectSpec(
    kind="Company",
    key_headers=H("record_id", "company_id", "object_id"),
    key_parse=record_id,
    columns=(
        Column("name", H("company_name"), required=True),
        Column(
            "domain",
            H("domain"),
            values.domain_of,
            lenient=True,
        ),
        Column("industry", H("industry")),
        Column("employees", H("employees"), number=values.parse_int, lenient=True),
        Column("annual_revenue_minor", H("annual_revenue"), number=money, lenient=True),
        Column("country", H("country"), values.country_code, lenient=True),
        Column("city", H("city")),
        Column("owner", H("company_owner"), ref=True),
    ),
)
CONTACT = ObjectSpec(
    kind="Contact",
    key_headers=H("record_id", "contact_id", "object_id"),
    key_parse=record_id,
    columns=(
        Column("first_name", H("first_name")),
        Column("last_name", H("last_name")),
        Column("email", H("email"), values.normalise_email, lenient=True),
        Column("phone", H("phone")),
        Column("title", H("job_title")),
        Column("country", H("country"), values.country_code, lenient=True),
        Column(
            "companies",
            H("associated_company_ids"),
            id_list,
            ref=True,
            lenient=True,
        ),
        Column("buying_roles", H("buying_role"), buying_roles),
        Column(
            "linkedin_url",
            H("linkedin_url"),
            values.linkedin_url,
            lenient=True,
        ),
    ),
)
DEAL = ObjectSpec(
    kind="Deal",
    key_headers=H("record_id", "deal_id", "object_id"),
    key_parse=record_id,
    columns=(
        Column("name", H("deal_name"), required=True),
        Column("stage", H("deal_stage"), stage, required=True),
        Column("close_date", H("close_date"), date=True),
        Column("created", H("create_date"), datetime=True, lenient=True),
        Column("amount_minor", H("amount"), number=money, lenient=True),
        Column("currency", H("currency")),
        Column("pipeline", H("pipeline")),
        Column("type", H("deal_type")),
        Column("owner", H("deal_owner"), ref=True),
        Column(
            "companies",
            H("associated_company_ids"),
            id_list,
            ref=True,
            lenient=True,
        ),
        Column(
            "contacts",
            H("associated_contact_ids"),
            id_list,
            ref=True,
            lenient=True,
        ),
    ),
)
# How each file is recognised: a header it must have, in any of the languages.
DEAL_NAME, FIRST_NAME, LAST_NAME = (
    header_keys("deal_name"),
    header_keys("first_name"),
    header_keys("last_name"),
)
COMPANY_NAME = header_keys("company_name") - {"name"}  # "Name" alone tells no file apart
SIGNATURES: tuple[tuple[ObjectSpec, Callable[[list[str]], bool]], ...] = (
    (DEAL, lambda keys: not DEAL_NAME.isdisjoint(keys)),
    (
        COMPANY,
        lambda keys: not COMPANY_NAME.isdisjoint(keys) and FIRST_NAME.isdisjoint(keys),
    ),
    (CONTACT, lambda keys: not (FIRST_NAME | LAST_NAME).isdisjoint(keys)),
)
ORDER = {"Company": 0, "Contact": 1, "Deal": 2}


def find_files(folder: Path) -> list[tuple[ObjectSpec, Table]]:
    """The exports in ``folder`` (CSV or Excel), recognised by their headers, in import order."""
    found: list[tuple[ObjectSpec, Table]] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".csv", ".xlsx") or path.name.endswith(".errors.csv"):
            continue
        if path.name == "crestline-errors.csv":
            continue
        table = open_table(path)
        spec = next((spec for spec, test in SIGNATURES if test(table.keys)), None)
        if spec is None:
            table.close()
        else:
            found.append((spec, table))
    return sorted(found, key=lambda st: ORDER[st[0].kind])


def refs_list(value: Any) -> tuple[str, ...]:
    return tuple(value) if value else ()
