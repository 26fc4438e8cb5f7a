"""The strict base model and the small value types every plan field is made of.

Each type validates with a message a plan author can act on; the error
translation in `plangen.model.errors` passes these messages through unchanged.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from plangen.errors import quote
from plangen.load import FORBIDDEN, describe_char, forbidden

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
DIRECTORY_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$"
DURATION_PATTERN = r"^[0-9]{1,6}[smhdw]$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MOMENT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$"
TIME_PATTERN = r"^[0-9]{2}:[0-9]{2}$"

# Bounds that keep every derived date computable and every page's cost
# linear in the plan's size (SECURITY.md, "Resource bounds"). A plan is about
# a release in a working lifetime: its days lie between these two, and a
# single duration is at most about ten years.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2999, 12, 31)
MAX_DURATION = timedelta(days=3653)
# Text: one-line fields (names, scopes, steps...) and the few multi-paragraph
# fields (summary, rationale, continuity, commands); every list in a plan.
MAX_TEXT = 2_000
MAX_LONG_TEXT = 20_000
MAX_ITEMS = 100

# Ids become folder names and URLs: no names the site, the search index or
# Windows reserve.
RESERVED_IDS = frozenset(
    {"index", "assets", "search", "sitemap", "404", "con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)

_SLUG = re.compile(SLUG_PATTERN)
_DIRECTORY_ID = re.compile(DIRECTORY_ID_PATTERN)
_DURATION = re.compile(DURATION_PATTERN)
_DATE = re.compile(DATE_PATTERN)
_MOMENT_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
_UNITS = {"s": timedelta(seconds=1), "m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


class StrictModel(BaseModel):
    """Unknown fields are errors (they are almost always typos); nothing mutates.

    A field written with no value (`scope:`) counts as absent when the field
    is optional, so a draft can keep empty keys as placeholders.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        populate_by_name=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        optional = _OPTIONAL.get(cls)
        if optional is None:  # the same for every instance: computed once per model
            optional = _OPTIONAL[cls] = frozenset(
                f.alias or name for name, f in cls.model_fields.items() if not f.is_required())
        return {k: v for k, v in data.items() if not (v is None and k in optional)}


_OPTIONAL: dict[type, frozenset[str]] = {}


def _error(kind: str, message: str, **ctx: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, ctx or None)  # type: ignore[arg-type]


def check_text(value: str, limit: int = MAX_TEXT) -> str:
    if not value.strip():
        raise _error("plangen_empty", "must not be empty")
    bad = forbidden(value).search(value)
    if bad:
        raise _error(
            "plangen_text", "{what} is not allowed in text", what=describe_char(bad.group())
        )
    if len(value) > limit:
        raise _error(
            "plangen_too_long", "the text is {length} characters long, over the limit of {limit}",
            length=len(value), limit=limit,
        )
    return value


def check_long_text(value: str) -> str:
    return check_text(value, MAX_LONG_TEXT)


def check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise _error(
            "plangen_slug",
            "{value} is not a valid id: string should match pattern {pattern} "
            "(lower-case letters, digits and inner hyphens, at most 64 characters)",
            value=quote(value),
            pattern=SLUG_PATTERN,
        )
    if value in RESERVED_IDS:
        raise _error("plangen_reserved", "{value} is a reserved name and cannot be an id", value=quote(value))
    return value


def check_directory_id(value: str) -> str:
    if not _DIRECTORY_ID.fullmatch(value):
        raise _error(
            "plangen_directory_id",
            "{value} is not a valid person, team or role id: string should match pattern "
            "{pattern} (lower-case letters, digits, dots, underscores and hyphens)",
            value=quote(value),
            pattern=DIRECTORY_ID_PATTERN,
        )
    if value in RESERVED_IDS:
        raise _error("plangen_reserved", "{value} is a reserved name and cannot be an id", value=quote(value))
    return value


def check_duration(value: str) -> str:
    if not _DURATION.fullmatch(value):
        raise _error(
            "plangen_duration",
            "{value} is not a duration: expected a whole number and a unit s, m, h, d or w",
            value=quote(value),
        )
    if duration_delta(value) > MAX_DURATION:
        raise _error(
            "plangen_duration", "{value} is longer than {days} days: no plan step lasts that long",
            value=quote(value), days=MAX_DURATION.days,
        )
    return value


def parse_date(value: Any) -> Any:
    """Only YYYY-MM-DD; pydantic alone would also take timestamps and datetimes."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _error(
            "plangen_date", "{value} is not a date: expected YYYY-MM-DD, like 2026-12-01", value=quote(value)
        )
    try:
        day = date.fromisoformat(value)
    except ValueError:
        part = "year" if int(value[:4]) < 1 else "month" if not 1 <= int(value[5:7]) <= 12 else "day"
        raise _error(
            "plangen_date",
            "{value} is not a real date: {part} value is outside expected range",
            value=quote(value),
            part=part,
        ) from None
    return check_day(day)


SINCE = "x-since"


def since_1_1(default: Any) -> Any:
    """A field added in format plangen/v1.1: a v1 plan that sets it is told to say v1.1."""
    return Field(default, json_schema_extra={SINCE: "plangen/v1.1"})


def parse_moment(value: Any) -> Any:
    """A day (YYYY-MM-DD) or, since 1.1, a day and a time of day
    (YYYY-MM-DDTHH:MM, read in the release window's time zone)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None or value.microsecond:
            raise _error("plangen_moment", "{value} is not a time of day: expected YYYY-MM-DDTHH:MM[:SS], no "
                         "offset (the release window's timezone applies)", value=quote(value.isoformat()))
        return value
    if isinstance(value, str) and (m := _MOMENT_TIME.fullmatch(value)):
        day = parse_date(m.group(1))
        hour, minute, second = int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise _error("plangen_moment", "{value} is not a time of day: hours run 00-23, minutes and seconds 00-59",
                         value=quote(value))
        return datetime(day.year, day.month, day.day, hour, minute, second)
    if isinstance(value, str) and len(value) > 10 and _DATE.fullmatch(value[:10]):
        raise _error("plangen_moment", "{value} is not a day or time: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM or "
                     "YYYY-MM-DDTHH:MM:SS (no offset: the release window's timezone applies)", value=quote(value))
    return parse_date(value)


def check_moment(value: date) -> date:
    check_day(value if not isinstance(value, datetime) else value.date())
    return value


def parse_time(value: Any) -> Any:
    """A time of day, HH:MM, 24-hour clock."""
    if isinstance(value, str) and re.fullmatch(TIME_PATTERN, value) and int(value[:2]) < 24 and int(value[3:]) < 60:
        return value
    raise _error("plangen_time", "{value} is not a time of day: expected HH:MM, like 02:00 or 16:30",
                 value=quote(str(value)))


def check_day(day: date) -> date:
    if not MIN_DAY <= day <= MAX_DAY:
        raise _error(
            "plangen_date_range", "{value} is outside the supported range {low} to {high}",
            value=quote(day.isoformat()), low=MIN_DAY.isoformat(), high=MAX_DAY.isoformat(),
        )
    return day


def check_url(value: str) -> str:
    """http, https and mailto only, with a host for the web schemes, no credentials."""
    if any(ch.isspace() for ch in value) or FORBIDDEN.search(value):
        raise _error("plangen_url", "{value} is not a URL: it contains spaces or control characters", value=quote(value))
    try:
        parts = urlsplit(value)
        hostname, username, password = parts.hostname, parts.username, parts.password
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise _error("plangen_url", "{value} is not a well-formed URL", value=quote(value)) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "mailto"):
        shown = f"the scheme '{scheme}:' is not allowed" if scheme else "it has no scheme"
        raise _error("plangen_url", "not an allowed link ({shown}): expected an http, https or mailto URL", shown=shown)
    if scheme == "mailto":
        if "@" not in parts.path:
            raise _error("plangen_url", "{value} is not a mail address", value=quote(value))
        return value
    if not hostname:
        raise _error("plangen_url", "{value} has no host: expected an http, https or mailto URL", value=quote(value))
    if not _valid_host(hostname, bracketed=parts.netloc.rpartition("@")[2].startswith("[")):
        raise _error(
            "plangen_url", "{value} does not name a valid host ({host})", value=quote(value), host=quote(hostname)
        )
    if username is not None or password is not None:
        raise _error(
            "plangen_credentials", "a URL must not carry a user name or password"
        )
    return value


_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _valid_host(host: str, *, bracketed: bool) -> bool:
    """A DNS name (international names through IDNA) or an IP address: the
    host a browser will contact is exactly the one validated."""
    if bracketed:
        return True  # urlsplit has already checked the IPv6 address
    try:
        ascii_host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return False
    labels = ascii_host.lower().removesuffix(".").split(".")
    return len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def is_web_url(text: str) -> bool:
    """Free-text locations (contacts, evidence places) are linked only when
    they are exactly a valid http(s) URL."""
    if not text.startswith(("https://", "http://")):
        return False
    try:
        check_url(text)
    except PydanticCustomError:
        return False
    return True


def duration_delta(text: str) -> timedelta:
    """'5d' -> timedelta(days=5). The text was validated by `Duration`."""
    return int(text[:-1]) * _UNITS[text[-1]]


# Editors read YAML themselves and see `version: 1.10` as a number and
# `id: no` as a boolean; plangen reads both as text. The published schema
# says so, so editors do not flag what plangen accepts.
_SCALAR = ["string", "number", "boolean"]
_URL_PATTERN = "^([hH][tT][tT][pP][sS]?://|[mM][aA][iI][lL][tT][oO]:)"

Text = Annotated[str, AfterValidator(check_text), WithJsonSchema({"type": _SCALAR, "maxLength": MAX_TEXT})]
"""Plain text: shown exactly as written, never read as Markdown or HTML."""
LongText = Annotated[
    str, AfterValidator(check_long_text), WithJsonSchema({"type": _SCALAR, "maxLength": MAX_LONG_TEXT})
]
"""Plain text that may run to several paragraphs."""
T = TypeVar("T")
Items = Annotated[list[T], Field(max_length=MAX_ITEMS)]
"""A list in a plan: at most MAX_ITEMS entries, so no page grows without bound."""

Slug = Annotated[
    str,
    AfterValidator(check_slug),
    WithJsonSchema({"type": _SCALAR, "pattern": SLUG_PATTERN, "not": {"enum": sorted(RESERVED_IDS)}}),
]
DirectoryId = Annotated[
    str, AfterValidator(check_directory_id), WithJsonSchema({"type": _SCALAR, "pattern": DIRECTORY_ID_PATTERN})
]
Who = DirectoryId  # a reference to a person, team or role in site_config/site.yaml
Duration = Annotated[str, AfterValidator(check_duration), WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN})]
Url = Annotated[str, AfterValidator(check_url), WithJsonSchema({"type": "string", "pattern": _URL_PATTERN})]
Day = Annotated[date, BeforeValidator(parse_date), AfterValidator(check_day)]
Moment = Annotated[
    date, PlainValidator(lambda value: check_moment(parse_moment(value))),
    PlainSerializer(lambda value: value.isoformat(timespec="seconds" if value.second else "minutes")
                    if isinstance(value, datetime) else value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "pattern": MOMENT_PATTERN}),
]
"""A day, or (since 1.1) a day and time of day: a datetime then, with no time zone."""
TimeOfDay = Annotated[str, BeforeValidator(parse_time), WithJsonSchema({"type": "string", "pattern": TIME_PATTERN})]
Number = Annotated[float, Field(allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
