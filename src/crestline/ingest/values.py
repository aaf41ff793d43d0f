"""Parsing single values as exports write them; each parser raises ValueError with a reason."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from urllib.parse import urlsplit

import pycountry

TRUE = {"true", "1", "yes", "y", "t", "x", "wahr", "vrai", "ja", "si", "sí", "oui"}
FALSE = {"false", "0", "no", "n", "f", "falsch", "faux", "nein", "non"}
MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january", "januar", "janvier", "enero", "gennaio", "janeiro"),
            ("feb", "february", "februar", "février", "fevrier", "febrero", "febbraio"),
            ("mar", "march", "märz", "maerz", "mars", "marzo", "março", "maart"),
            ("apr", "april", "avril", "abril", "aprile"),
            ("may", "mai", "mayo", "maggio", "maio", "mei"),
            ("jun", "june", "juni", "juin", "junio", "giugno", "junho"),
            ("jul", "july", "juli", "juillet", "julio", "luglio", "julho"),
            ("aug", "august", "août", "aout", "agosto", "augustus"),
            ("sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"),
            ("oct", "october", "oktober", "octobre", "octubre", "ottobre", "outubro"),
            ("nov", "november", "novembre", "noviembre", "novembro"),
            ("dec", "december", "dezember", "décembre", "decembre", "diciembre", "dicembre"),
        ),
        start=1,
    )
    for m in names
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LINKEDIN = re.compile(r"linkedin\.com/(?:in|pub)/([^/?#\s]+)", re.IGNORECASE)


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"{value!r} is not true or false")


def parse_int(value: str) -> int:
    v = value.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        return int(Decimal(v))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not a whole number") from None


def parse_decimal(value: str) -> Decimal:
    """``1234.5``, ``1,234.50``, ``1.234,50``, ``$ 1,234``, ``EUR 1 234,50`` → Decimal."""
    v = re.sub(r"[^\d,.\-]", "", value.replace("\u00a0", " "))
    if not re.search(r"\d", v):
        raise ValueError(f"{value!r} is not an amount")
    if "," in v and "." in v:
        if v.rfind(",") > v.rfind("."):
            v = v.replace(".", "").replace(",", ".")
        else:
            v = v.replace(",", "")
    elif v.count(".") > 1:  # 1.234.567: dots group thousands
        v = v.replace(".", "")
    elif "," in v:
        head, _, tail = v.rpartition(",")
        v = f"{head.replace(',', '')}.{tail}" if len(tail) in (1, 2) else v.replace(",", "")
    try:
        return Decimal(v)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None


def to_minor(amount: Decimal, digits: int = 2) -> int:
    return int((amount * (10**digits)).to_integral_value())


def parse_date(value: str, *, dayfirst: bool = False) -> dt.date:
    """ISO dates (and datetimes), ``05 Mar 2024``, ``3/5/2024``, ``05.03.2024``."""
    v = value.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", v):
        if len(v) > 10:
            return parse_datetime(v).date()
        return dt.date.fromisoformat(v)
    m = re.match(r"^(\d{1,2})[ \-]([A-Za-zÀ-ÿ]+)\.?[ \-,]+(\d{4})$", v)
    if m and m.group(2).lower() in MONTHS:
        return dt.date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    m = re.match(r"^([A-Za-z]+)\.? (\d{1,2}),? (\d{4})$", v)
    if m and m.group(1).lower() in MONTHS:
        return dt.date(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    m = re.match(r"^(\d{1,2})([./\-])(\d{1,2})\2(\d{2,4})(?:[ T].*)?$", v)
    if m:
        a, b, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        year += 2000 if year < 100 else 0
        day, month = (a, b) if (dayfirst or m.group(2) == "." or a > 12) else (b, a)
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date")


def parse_datetime(value: str) -> dt.datetime:
    """An ISO datetime, ``Z`` or an offset allowed; returned as naive UTC."""
    v = value.strip()
    if v.endswith("Z"):
        v = v[:-1] + "+00:00"
    v = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", v)
    try:
        parsed = dt.datetime.fromisoformat(v.replace(" ", "T", 1))
    except ValueError:
        try:
            return dt.datetime.combine(parse_date(value), dt.time())
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def looks_dayfirst(values: list[str]) -> bool:
    """Whether slash dates in a column are day-first: some first part is above 12."""
    for v in values:
        m = re.match(r"^\s*(\d{1,2})[/\-](\d{1,2})[/\-]\d{2,4}", v)
        if m and int(m.group(1)) > 12:
            return True
    return False


def normalise_email(value: str) -> str:
    v = value.strip().strip("<>").lower()
    if v.startswith("mailto:"):
        v = v[7:]
    if not EMAIL.match(v):
        raise ValueError(f"{value!r} is not an email address")
    return v


def domain_of(value: str) -> str:
    """``https://www.acme.com/en`` → ``acme.com``."""
    v = value.strip().lower()
    if "@" in v and "/" not in v:
        v = v.split("@", 1)[1]
    if "://" not in v:
        v = "http://" + v
    host = urlsplit(v).hostname or ""
    host = host.removeprefix("www.")
    if "." not in host:
        raise ValueError(f"{value!r} is not a web address")
    return host


def linkedin_url(value: str) -> str:
    """A LinkedIn profile URL in one canonical form: ``https://www.linkedin.com/in/<slug>``."""
    v = value.strip()
    m = LINKEDIN.search(v)
    if not m:
        raise ValueError(f"{value!r} is not a LinkedIn profile address")
    return f"https://www.linkedin.com/in/{m.group(1).lower()}"


@cache
def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (
            c.alpha_2,
            c.alpha_3,
            c.name,
            getattr(c, "common_name", None),
            getattr(c, "official_name", None),
        ):
            if name:
                index[name.lower()] = c.alpha_2
    extra = {
        "usa": "US",
        "u.s.": "US",
        "u.s.a.": "US",
        "united states of america": "US",
        "america": "US",
        "uk": "GB",
        "u.k.": "GB",
        "england": "GB",
        "scotland": "GB",
        "wales": "GB",
        "great britain": "GB",
        "deutschland": "DE",
        "germany": "DE",
        "frankreich": "FR",
        "españa": "ES",
        "espana": "ES",
        "italia": "IT",
        "nederland": "NL",
        "the netherlands": "NL",
        "holland": "NL",
        "schweiz": "CH",
        "suisse": "CH",
        "österreich": "AT",
        "oesterreich": "AT",
        "belgique": "BE",
        "belgië": "BE",
        "brasil": "BR",
        "méxico": "MX",
        "south korea": "KR",
        "russia": "RU",
    }
    index.update(extra)
    return index


def country_code(value: str) -> str:
    v = " ".join(value.strip().lower().split())
    code = _country_index().get(v)
    if code is None:
        raise ValueError(f"{value!r} is not a country Crestline knows")
    return code
