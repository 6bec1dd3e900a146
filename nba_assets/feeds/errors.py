"""Errors a feed raises, each carrying the provider's code and what the operator should do.

A failed ingest run is read by a person at 3 am: every message says which feed, which
endpoint (key redacted), what the provider said and the next step, so nobody has to open the
provider's docs to decide between "wait", "pay" and "fix the config".
"""

from __future__ import annotations

from typing import Any

# The Odds API error codes whose next step is a human decision: retrying only spends calls.
TERMINAL_ERROR_CODES: frozenset[str] = frozenset(
    {
        "MISSING_KEY",
        "INVALID_KEY",
        "DEACTIVATED_KEY",
        "OUT_OF_USAGE_CREDITS",
        "HISTORICAL_UNAVAILABLE_ON_FREE_USAGE_PLAN",
    }
)

ERROR_CODE_HINTS: dict[str, str] = {
    "MISSING_KEY": "no API key was sent; set ODDS_API_KEY",
    "INVALID_KEY": "the API key is not valid; check ODDS_API_KEY",
    "DEACTIVATED_KEY": "the API key was deactivated; renew the subscription or use a new key",
    "OUT_OF_USAGE_CREDITS": "the monthly credit is spent; wait for the reset or raise the plan",
    "HISTORICAL_UNAVAILABLE_ON_FREE_USAGE_PLAN": (
        "historical odds need a paid plan; upgrade it or load past slates from the archives"
    ),
    "EXCEEDED_FREQ_LIMIT": "more than 30 calls a second; slow the caller down",
    "EVENT_NOT_FOUND": "the event has concluded or never existed; drop it from the request",
    "INVALID_MARKET": "a market is not offered on this endpoint (props need event odds); fix it",
    "UNKNOWN_SPORT": "the sport key is not known; check the sport parameter",
    "INVALID_SCORES_DAYS_FROM": "daysFrom must be between 1 and 3",
}

STATUS_HINTS: dict[int, str] = {
    400: "the provider rejected the request as malformed; fix the parameters",
    401: "the key is missing or invalid, or the plan does not cover this endpoint; check both",
    403: "access is denied for this key; check the key and the plan",
    404: "the path or resource does not exist; check the base URL and the endpoint",
    406: "the provider cannot answer in JSON; check the Accept header",
    422: "the provider rejected the parameters; fix the request",
}


class FeedError(Exception):
    """A feed call failed; the message is safe to log (no secrets) and says what to do."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        endpoint: str | None = None,
        status_code: int | None = None,
        error_code: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.source = source
        self.endpoint = endpoint
        self.status_code = status_code
        self.error_code = error_code
        self.attempts = attempts


class FeedAuthError(FeedError):
    """The key is missing, wrong or deactivated: a configuration problem, not a transient one."""


class FeedQuotaError(FeedError):
    """The plan's call credit is spent: only time or money fixes it."""


class FeedPlanError(FeedError):
    """The endpoint exists but the current plan does not include it."""


class FeedRequestError(FeedError):
    """The provider refused this request as asked (4xx): retrying it unchanged cannot help."""


class FeedUnavailableError(FeedError):
    """The provider kept failing (5xx, 429, timeouts, resets) until the retry bound ran out."""


class FeedPaginationError(FeedError):
    """A paginated listing did not end within the page cap or repeated a cursor."""


class PayloadError(FeedError):
    """A body is not JSON or not the expected top-level shape.

    Nothing in it can be trusted record by record, so the caller quarantines the whole body
    (``raw`` or ``raw_text``) and fails the run loudly.
    """

    def __init__(
        self,
        message: str,
        *,
        raw: Any = None,
        raw_text: str | None = None,
        source: str | None = None,
        endpoint: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, source=source, endpoint=endpoint, status_code=status_code)
        self.raw = raw
        self.raw_text = raw_text


def classify(status_code: int, error_code: str | None) -> type[FeedError]:
    """The exception class for a non-retryable answer, chosen by code first, then status."""
    if error_code == "OUT_OF_USAGE_CREDITS":
        return FeedQuotaError
    if error_code == "HISTORICAL_UNAVAILABLE_ON_FREE_USAGE_PLAN":
        return FeedPlanError
    if error_code in TERMINAL_ERROR_CODES or status_code in (401, 403):
        return FeedAuthError
    return FeedRequestError


def hint_for(
    status_code: int, error_code: str | None, status_hints: dict[int, str] | None = None
) -> str:
    """The sentence telling the operator what to do about this answer."""
    if error_code and error_code in ERROR_CODE_HINTS:
        return ERROR_CODE_HINTS[error_code]
    hints = {**STATUS_HINTS, **(status_hints or {})}
    return hints.get(status_code, f"unexpected HTTP {status_code}; check the provider status page")
