"""Pydantic building blocks shared by the provider models.

Provider payloads drift (fields appear, vanish, change type), so models ignore unknown
fields, make optional whatever a real capture has been seen without, and are strict where a
wrong value would silently corrupt the warehouse: instants must carry a zone, prices must be
finite.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

# Outside these years a parsed instant is junk (a unix timestamp in the wrong unit, a typo);
# BallDontLie's history starts in 1946.
_EARLIEST_YEAR = 1900
_LATEST_YEAR = 2200


def _to_utc(value: datetime) -> datetime:
    if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        raise ValueError(f"year {value.year} is not plausible")
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An instant with a zone, converted to UTC; a naive value is rejected, never guessed."""

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]


class FeedModel(BaseModel):
    """Base for payload models: unknown fields ignored, instances immutable."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def describe_validation_error(exc: ValidationError, what: str) -> str:
    """A one-line quarantine reason naming the failing fields, without echoing the input."""
    errors = exc.errors(include_url=False, include_input=False)
    parts = [f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in errors[:3]]
    more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
    return f"{what} failed validation: {'; '.join(parts)}{more}"
