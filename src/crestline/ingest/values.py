"""Parsing single values as exports write them; each parser raises ValueError with a reason.

Dates and numbers are read column by column: :func:`date_order` decides whether a column's
slash dates are day-first or month-first from all its values (and the file's locale when no value
tells), :func:`number_format` whether its numbers use a decimal comma; the single-value parsers
then take that decision.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
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
            ("jan", "january", "januar", "janvier", "enero", "gennaio", "janeiro", "jän"),
            ("feb", "february", "februar", "février", "fevrier", "febrero", "febbraio", "fév"),
            ("mar", "march", "märz", "maerz", "mars", "marzo", "março", "maart", "mrz"),
            ("apr", "april", "avril", "abril", "aprile", "avr"),
            ("may", "mai", "mayo", "maggio", "maio", "mei"),
            ("jun", "june", "juni", "juin", "junio", "giugno", "junho"),
            ("jul", "july", "juli", "juillet", "julio", "luglio", "julho"),
            ("aug", "august", "août", "aout", "agosto", "augustus"),
            ("sep", "sept", "september", "septembre", "septiembre", "settembre", "setembro"),
            ("oct", "october", "oktober", "octobre", "octubre", "ottobre", "outubro", "okt"),
            ("nov", "november", "novembre", "noviembre", "novembro"),
            ("dec", "december", "dezember", "décembre", "decembre", "diciembre", "dicembre", "dez"),
        ),
        start=1,
    )
    for m in names
}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LINKEDIN = re.compile(r"linkedin\.com/(?:in|pub)/([^/?#\s]+)", re.IGNORECASE)

# What may follow a date: a time, after a space, a ``T`` or a comma (``1/8/18, 6:14 PM``).
_REST = r"(?:(?:[ T]|,\s*)+(?P<time>\S.*))?"
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?P<tail>.*)$")
_YMD = re.compile(r"^(\d{4})([/.])(\d{1,2})\2(\d{1,2})" + _REST + "$")
_NUMERIC = re.compile(r"^(\d{1,2})([./\-])(\d{1,2})\2(\d{4}|\d{2})" + _REST + "$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\.?[ \-/]([A-Za-zÀ-ÿ]+)\.?[ \-/,]+(\d{4}|\d{2})" + _REST + "$")
_MONTH_DAY = re.compile(
    r"^([A-Za-zÀ-ÿ]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})" + _REST + "$", re.IGNORECASE
)
_TIME = re.compile(
    r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,](\d{1,6})\d*)?)?\s*"
    r"(?:(?P<ampm>[AaPp])\.?\s?[Mm]\.?)?\s*"
    r"(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?$"
)
_SERIAL = re.compile(r"^(\d{5})(?:\.(\d+))?$")  # Excel's day numbers: 10000 is 1927-05-18
EXCEL_EPOCH = dt.date(1899, 12, 30)


def blank(value: str | None) -> bool:
    return value is None or not value.strip()


def parse_bool(value: str) -> bool:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    raise ValueError(f"{value!r} is not true or false")


# ---------------------------------------------------------------------------------------------
# Numbers

_CURRENCY = re.compile(r"^(?:[A-Z]{3}|[$€£¥₹]|US\$|CHF|Fr\.)\s*|\s*(?:[A-Z]{3}|[$€£¥₹]|CHF)$")
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'’")
_EXPONENT = re.compile(r"^(?P<mantissa>[+-]?[\d.,]*\d)[eE](?P<exp>[+-]?\d{1,3})$")
_DECIMAL_COMMA = re.compile(r"\d\.\d{3},\d|^[+-]?\d+,(?:\d{1,2}|\d{4,})$")
_DECIMAL_POINT = re.compile(r"\d,\d{3}\.\d|^[+-]?\d+\.(?:\d{1,2}|\d{4,})$")


def _number_text(value: str) -> tuple[str, bool]:
    """The value without currency, spaces and accounting brackets, and whether it was negative."""
    v = value.strip()
    negative = False
    if v.startswith("(") and v.endswith(")"):
        v, negative = v[1:-1].strip(), True
    for _ in range(2):
        v = _CURRENCY.sub("", v.strip())
    v = v.translate(_SPACES)
    if v.endswith("-") and v[:-1].replace(",", "").replace(".", "").isdigit():
        v, negative = v[:-1], not negative  # SAP-style trailing minus
    return v, negative


def _plain(mantissa: str, decimal_comma: bool | None) -> str:
    """``1.234,50`` or ``1,234.50`` as ``1234.50``, by the file's decimal mark when it is known.

    Thousands groups must have three digits; anything else is not a number."""
    sign = ""
    if mantissa[:1] in "+-":
        sign, mantissa = mantissa[0], mantissa[1:]
    if "," in mantissa and "." in mantissa:
        decimal = "," if mantissa.rfind(",") > mantissa.rfind(".") else "."
    elif mantissa.count(",") > 1:
        decimal = "."  # 1,234,567: commas group thousands
    elif mantissa.count(".") > 1:
        decimal = ","  # 1.234.567: dots group thousands
    elif "," in mantissa:
        tail = mantissa.rpartition(",")[2]
        if decimal_comma is None:
            decimal = "," if len(tail) != 3 else "."
        else:
            decimal = "," if decimal_comma else "."
    elif "." in mantissa:
        tail = mantissa.rpartition(".")[2]
        decimal = "," if decimal_comma is True and len(tail) == 3 else "."  # 1.234 → 1234
    else:
        return sign + mantissa
    group = "." if decimal == "," else ","
    whole, _, fraction = mantissa.partition(decimal)
    if decimal in fraction or group in fraction:
        raise ValueError
    if group in whole and not re.fullmatch(r"\d{1,3}(?:" + re.escape(group) + r"\d{3})+", whole):
        raise ValueError
    whole = whole.replace(group, "")
    if not whole and not fraction:
        raise ValueError
    return f"{sign}{whole or '0'}.{fraction}" if fraction else sign + whole


def parse_decimal(value: str, decimal_comma: bool | None = None) -> Decimal:
    """``1234.5``, ``1,234.50``, ``1.234,50``, ``$ 1,234``, ``EUR 1 234,50``, ``1.39E8`` → Decimal.

    ``decimal_comma`` is the file's decimal mark when it is known (True: ``1.234,5``; False:
    ``1,234.5``): it decides the values that could be read either way (``1.234``, ``1,234``);
    None reads a single comma followed by three digits as a thousands separator."""
    v, negative = _number_text(value)
    try:
        exp = _EXPONENT.match(v)
        if exp:
            number = Decimal(_plain(exp["mantissa"], decimal_comma)).scaleb(int(exp["exp"]))
        elif re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", v):
            number = Decimal(_plain(v, decimal_comma))
        else:
            raise ValueError
    except (InvalidOperation, ValueError):
        raise ValueError(f"{value!r} is not an amount") from None
    return -number if negative else number


def parse_int(value: str, decimal_comma: bool | None = None) -> int:
    """A whole number: ``1,200``, ``1.200`` in a decimal-comma file, ``1.2E3``; ``12.5`` is not."""
    try:
        number = parse_decimal(value, decimal_comma)
    except ValueError:
        raise ValueError(f"{value!r} is not a whole number") from None
    if number != number.to_integral_value():
        raise ValueError(f"{value!r} is not a whole number")
    return int(number)


def number_format(samples: Iterable[str]) -> bool | None:
    """Whether a column's numbers write a decimal comma (True), a decimal point (False), or
    neither tells (None, also when the column has both)."""
    comma = point = False
    for raw in samples:
        v, _ = _number_text(raw)
        exp = _EXPONENT.match(v)
        if exp:
            v = exp["mantissa"]
        comma = comma or bool(_DECIMAL_COMMA.search(v))
        point = point or bool(_DECIMAL_POINT.search(v))
        if comma and point:
            return None
    return True if comma else False if point else None


def to_minor(amount: Decimal, digits: int = 2) -> int:
    return int((amount * (10**digits)).to_integral_value())


# ---------------------------------------------------------------------------------------------
# Dates and times


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _time(text: str | None, value: str) -> tuple[dt.time, dt.timedelta | None]:
    """The time of day after a date, and its UTC offset when it has one."""
    if not text:
        return dt.time(), None
    m = _TIME.match(text.strip())
    if not m:
        raise ValueError(f"{value!r} is not a date and time")
    hour, minute = int(m.group(1)), int(m.group(2))
    second = int(m.group(3) or 0)
    micro = int((m.group(4) or "0").ljust(6, "0"))
    if m["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{value!r} is not a date and time")
        hour = hour % 12 + (12 if m["ampm"].lower() == "p" else 0)
    offset = None
    tz = m["tz"]
    if tz in ("Z", "UTC", "GMT"):
        offset = dt.timedelta(0)
    elif tz:
        digits = tz.replace(":", "")
        sign = -1 if digits[0] == "-" else 1
        offset = sign * dt.timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
    try:
        return dt.time(hour, minute, second, micro), offset
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time") from None


def _parse(value: str, dayfirst: bool) -> tuple[dt.date, str | None]:
    """The date a value writes, and the text of its time of day (None when it has none)."""
    v = value.strip()
    try:
        m = _ISO.match(v)
        if m:
            tail = m["tail"]
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return day, (tail.lstrip("T ") or None)
        m = _YMD.match(v)
        if m:
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4))), m["time"]
        m = _NUMERIC.match(v)
        if m:
            a, b, year = int(m.group(1)), int(m.group(3)), _year(m.group(4))
            first = dayfirst or m.group(2) == "."
            if a > 12 >= b or b > 12 >= a:
                first = a > 12  # a value that can be read only one way is read that way
            d, mo = (a, b) if first else (b, a)
            return dt.date(year, mo, d), m["time"]
        m = _DAY_MONTH.match(v)
        if m and m.group(2).lower() in MONTHS:
            month = MONTHS[m.group(2).lower()]
            return dt.date(_year(m.group(3)), month, int(m.group(1))), m["time"]
        m = _MONTH_DAY.match(v)
        if m and m.group(1).lower() in MONTHS:
            month = MONTHS[m.group(1).lower()]
            return dt.date(int(m.group(3)), month, int(m.group(2))), m["time"]
        m = _SERIAL.match(v)
        if m:
            day = EXCEL_EPOCH + dt.timedelta(days=int(m.group(1)))
            if m.group(2):
                seconds = round(float("0." + m.group(2)) * 86400)
                clock = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
                return day, clock.time().isoformat()
            return day, None
    except ValueError:
        pass
    raise ValueError(f"{value!r} is not a date")


def parse_date(value: str, *, dayfirst: bool = False) -> dt.date:
    """The date of ``value``: ISO dates and datetimes, ``05 Mar 2024``, ``23-Apr-23``,
    ``Mar 5, 2024``, ``3/5/2024`` (``dayfirst`` says which part is the day), ``05.03.2024``
    (always day first), ``2024/03/05``, an Excel serial day (``45292``), and any of these followed
    by a time (``1/8/18, 6:14 PM``). A date-time with an offset is the date in UTC."""
    day, clock = _parse(value, dayfirst)
    if clock is None:
        return day
    try:
        return parse_datetime(value, dayfirst=dayfirst).date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date") from None


def parse_datetime(value: str, *, dayfirst: bool = False) -> dt.datetime:
    """A date and time as :func:`parse_date` reads them, ``Z`` or an offset allowed; returned
    as naive UTC (a time without an offset is taken as UTC). A date alone is midnight."""
    v = value.strip()
    if _ISO.match(v):
        iso = v[:-1] + "+00:00" if v.endswith("Z") else v
        iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", iso)
        try:
            parsed = dt.datetime.fromisoformat(iso.replace(" ", "T", 1))
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
            return parsed
    try:
        day, clock = _parse(v, dayfirst)
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time") from None
    time, offset = _time(clock, value)
    moment = dt.datetime.combine(day, time)
    return moment - offset if offset is not None else moment


@dataclass(frozen=True)
class DateOrder:
    """How a column's slash dates are read, and why."""

    dayfirst: bool
    guessed: bool = False  # no value told: the file's locale (or the US default) decided
    example: str | None = None  # the first value that could be read either way
    example_at: int = 0  # its position among the samples
    reason: str = ""

    def note(self) -> str:
        order = "day" if self.dayfirst else "month"
        return (
            f"dates such as {self.example!r} could be day or month first and no value in the "
            f"column tells; read {order} first ({self.reason})"
        )


def date_order(samples: Iterable[str], *, dayfirst_hint: bool | None = None) -> DateOrder:
    """Whether a column's numeric dates are day-first.

    Some first part above 12 makes the column day-first, some second part above 12 month-first
    (both: the more frequent wins). When no value tells, the file's locale hint decides
    (``dayfirst_hint``: a semicolon-separated file or decimal commas are European), then dotted
    dates (``05.03.2024``: day first), else month first as US exports write them."""
    first_big = second_big = 0
    example: str | None = None
    example_at = 0
    dotted = False
    for at, raw in enumerate(samples):
        m = _NUMERIC.match(raw.strip())
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(3))
        if a > 12 >= b:
            first_big += 1
        elif b > 12 >= a:
            second_big += 1
        elif m.group(2) == ".":
            dotted = True  # 05.03.2024: written day first wherever dots are used
        elif a != b and example is None:
            example, example_at = raw.strip(), at
    if first_big or second_big:
        return DateOrder(first_big >= second_big)
    if example is None:
        return DateOrder(bool(dayfirst_hint) or dotted)
    if dayfirst_hint is not None:
        reason = "the file's locale: semicolons or decimal commas, as written in Europe"
        if not dayfirst_hint:
            reason = "the file's locale: US-style"
        return DateOrder(dayfirst_hint, True, example, example_at, reason)
    if dotted:
        return DateOrder(True, True, example, example_at, "dotted dates are written day first")
    return DateOrder(False, True, example, example_at, "as US-style exports write them")


def looks_dayfirst(values: list[str]) -> bool:
    """Whether slash dates in a column are day-first: some first part is above 12."""
    return date_order(values).dayfirst


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


# the languages of the exports users bring (HubSpot, Salesforce and spreadsheets in Europe and
# the Americas)
COUNTRY_LANGUAGES = (
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "pt",
    "pt_BR",
    "sv",
    "da",
    "nb",
    "fi",
    "pl",
    "cs",
)


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
    for language in COUNTRY_LANGUAGES:  # names as exports in those languages write them
        words = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
        for c in pycountry.countries:
            for name in (
                c.name,
                getattr(c, "common_name", None),
                getattr(c, "official_name", None),
            ):
                if name:
                    local = words.gettext(name).lower()
                    index.setdefault(local, c.alpha_2)
                    index.setdefault(_unaccented(local), c.alpha_2)
    return index


def _unaccented(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def country_code(value: str) -> str:
    """ISO 3166 alpha-2 of a code or a name in English or in one of :data:`COUNTRY_LANGUAGES`
    (ISO's own translations, shipped with pycountry), accents optional."""
    v = " ".join(value.strip().lower().split())
    index = _country_index()
    code = index.get(v) or index.get(_unaccented(v))
    if code is None:
        raise ValueError(f"{value!r} is not a country Crestline knows")
    return code
