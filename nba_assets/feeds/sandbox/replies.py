"""The request and reply shapes the sandbox's route handlers share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx

from nba_assets.feeds.sandbox.faults import SandboxFaults


@dataclass(frozen=True, slots=True)
class Call:
    """One incoming request, with the instant it is answered "as of"."""

    path: str
    params: httpx.QueryParams
    headers: httpx.Headers
    now: datetime
    faults: SandboxFaults

    def text(self, name: str) -> str | None:
        value = self.params.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None

    def listed(self, name: str) -> list[str]:
        """Repeated ``name[]=`` (BallDontLie) or ``name=`` values, and comma lists (Odds API)."""
        values = self.params.get_list(f"{name}[]") + self.params.get_list(name)
        return [part.strip() for v in values for part in v.split(",") if part.strip()]


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer: a JSON-able body (or raw bytes) and its Odds API credit cost."""

    status: int
    body: Any
    cost: int = 0
    headers: dict[str, str] = field(default_factory=dict)


class BadParameter(ValueError):
    """A query parameter the provider would reject; carries the provider's error fields."""

    def __init__(self, message: str, code: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def parse_day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadParameter(f"{name} must be a date like 2024-01-15", status=400) from None


def parse_int(text: str | None, name: str, default: int) -> int:
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise BadParameter(f"{name} must be an integer", status=400) from None
