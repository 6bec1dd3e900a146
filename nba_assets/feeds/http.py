"""The resilient HTTP layer every live feed shares.

Providers fail in the ordinary ways (429 bursts, 5xx during deploys, timeouts, resets) and in
ways that retrying only makes worse (a spent credit, a wrong key). This layer retries the
first kind with exponential backoff and full jitter, bounded in attempts and in total time,
and raises the second kind at once with the provider's code and the next step.

Secrets never enter the ``httpx.Client``'s own request: a wrapping transport adds them to an
outgoing copy, so httpx's request log, our logs, errors and ``FeedRequest`` records only ever
see the keyless URL. Tests and the offline sandbox plug in below that wrapper.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
from tenacity import RetryCallState, RetryError

from nba_assets.core.slates import require_aware
from nba_assets.feeds.credentials import REDACTED, CredentialTransport, Redactor
from nba_assets.feeds.errors import (
    TERMINAL_ERROR_CODES,
    FeedError,
    FeedRequestError,
    FeedUnavailableError,
    PayloadError,
    classify,
    hint_for,
)
from nba_assets.feeds.retry import RetryableAttempt, RetryPolicy, build_retrying, parse_retry_after

__all__ = ["FeedHttpClient", "FeedRequest", "FeedResponse", "RetryPolicy", "parse_retry_after"]

logger = logging.getLogger("nba_assets.feeds")

_RAW_TEXT_LIMIT = 64_000
_RETRYABLE_STATUS = frozenset({408, 429})
# Failures of the connection or the bytes on it; anything else httpx raises (bad scheme,
# proxy, local protocol misuse) is a configuration problem that retrying cannot fix.
_RETRYABLE_TRANSPORT = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)

Outcome = Literal["ok", "retry", "error"]
Recorder = Callable[["FeedRequest"], None]
Sleeper = Callable[[float], None]
Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class FeedRequest:
    """One HTTP attempt, as the warehouse stores it in ``feed_requests``."""

    source: str
    endpoint: str
    params: dict[str, Any]
    status_code: int | None
    outcome: Outcome
    error: str | None
    attempt: int
    latency_ms: float
    requested_at: datetime
    requests_used: int | None = None
    requests_remaining: int | None = None
    requests_last: int | None = None


@dataclass(frozen=True, slots=True)
class FeedResponse:
    """A decoded answer plus when it was observed: normalisers need the poll time."""

    data: Any
    endpoint: str
    status_code: int
    received_at: datetime
    attempts: int
    requests_used: int | None = None
    requests_remaining: int | None = None
    requests_last: int | None = None
    pages: int = 1


def _credit(headers: httpx.Headers, name: str) -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


class FeedHttpClient:
    """GET JSON from one provider with retries, redaction and a record of every attempt."""

    def __init__(
        self,
        *,
        source: str,
        base_url: str,
        transport: httpx.BaseTransport | None = None,
        secret_params: Mapping[str, str] | None = None,
        secret_headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
        recorder: Recorder | None = None,
        sleep: Sleeper | None = None,
        now: Clock | None = None,
        timeout: float = 15.0,
        status_hints: dict[int, str] | None = None,
    ) -> None:
        self.source = source
        self.policy = policy if policy is not None else RetryPolicy()
        self._secret_param_names = tuple(secret_params or {})
        self.redact = Redactor([*(secret_params or {}).values(), *(secret_headers or {}).values()])
        self._recorder = recorder
        self._sleep = sleep if sleep is not None else time.sleep
        self._now = now if now is not None else (lambda: datetime.now(UTC))
        self._status_hints = status_hints
        inner = transport if transport is not None else httpx.HTTPTransport()
        self._client = httpx.Client(
            base_url=base_url,
            transport=CredentialTransport(inner, secret_params or {}, secret_headers or {}),
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={"Accept": "application/json", "Accept-Encoding": "gzip"},
            follow_redirects=False,
        )

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        base_url = self.redact(str(self._client.base_url))
        return f"FeedHttpClient(source={self.source!r}, base_url={base_url!r})"

    def endpoint_for(self, path: str, params: Mapping[str, Any]) -> str:
        """The path and query as logged and stored: secret parameters shown as ``***``."""
        query = urlencode(
            [(k, v) for k, v in params.items() if k not in self._secret_param_names],
            doseq=True,
            safe=",[]",
        )
        secrets = "&".join(f"{name}={REDACTED}" for name in self._secret_param_names)
        joined = "&".join(part for part in (query, secrets) if part)
        return self.redact(f"{path}?{joined}" if joined else path)

    def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, expect: type | None = None
    ) -> FeedResponse:
        """GET ``path`` and decode JSON, retrying transient failures under the policy.

        ``expect`` (``list`` or ``dict``) is the top-level shape the endpoint promises; any
        other body raises ``PayloadError`` without a retry, since the provider answered.
        """
        clean = {k: v for k, v in (params or {}).items() if k not in self._secret_param_names}
        endpoint = self.endpoint_for(path, clean)
        busy = [0.0]
        retrying = build_retrying(
            self.policy,
            busy_seconds=lambda: busy[0],
            sleep=self._sleep,
            before_sleep=self._before_retry,
        )
        try:
            for attempt in retrying:
                with attempt:
                    number = attempt.retry_state.attempt_number
                    response = self._attempt(path, clean, endpoint, number, busy, expect)
        except RetryError as exc:
            raise self._give_up(exc, endpoint) from None
        return response

    def _attempt(
        self,
        path: str,
        params: dict[str, Any],
        endpoint: str,
        number: int,
        busy: list[float],
        expect: type | None,
    ) -> FeedResponse:
        requested_at = require_aware(self._now(), "now")
        draft = FeedRequest(
            source=self.source,
            endpoint=endpoint,
            params=dict(params),
            status_code=None,
            outcome="error",
            error=None,
            attempt=number,
            latency_ms=0.0,
            requested_at=requested_at,
        )
        started = time.perf_counter()
        try:
            response = self._client.get(path, params=params)
        except _RETRYABLE_TRANSPORT as exc:
            record = self._finish(draft, started, busy, error=self._describe(exc))
            raise RetryableAttempt(record, record.error or "transport error", None) from None
        except httpx.HTTPError as exc:
            record = self._finish(draft, started, busy, error=self._describe(exc))
            self._emit(record)
            raise FeedRequestError(
                f"{self.source} {endpoint}: {record.error}; check the base URL and proxy settings",
                source=self.source,
                endpoint=endpoint,
                attempts=number,
            ) from None
        draft = replace(
            draft,
            status_code=response.status_code,
            requests_used=_credit(response.headers, "x-requests-used"),
            requests_remaining=_credit(response.headers, "x-requests-remaining"),
            requests_last=_credit(response.headers, "x-requests-last"),
        )
        return self._judge(response, draft, started, busy, expect)

    def _judge(
        self,
        response: httpx.Response,
        draft: FeedRequest,
        started: float,
        busy: list[float],
        expect: type | None,
    ) -> FeedResponse:
        status = response.status_code
        endpoint = draft.endpoint
        body, decode_error = _decode(response)
        error_code, message = _error_fields(body)
        if 200 <= status < 300 and decode_error is None:
            if expect is not None and not isinstance(body, expect):
                error = f"expected a JSON {expect.__name__}, got {type(body).__name__}"
                self._emit(self._finish(draft, started, busy, error=error))
                raise PayloadError(
                    f"{self.source} {endpoint}: {error}; the endpoint changed shape",
                    raw=body,
                    source=self.source,
                    endpoint=endpoint,
                    status_code=status,
                )
            self._emit(self._finish(draft, started, busy, outcome="ok"))
            return FeedResponse(
                data=body,
                endpoint=endpoint,
                status_code=status,
                received_at=draft.requested_at,
                attempts=draft.attempt,
                requests_used=draft.requests_used,
                requests_remaining=draft.requests_remaining,
                requests_last=draft.requests_last,
            )
        if 200 <= status < 300:
            error = f"body is not valid JSON ({decode_error})"
            self._emit(self._finish(draft, started, busy, error=error))
            raise PayloadError(
                f"{self.source} {endpoint}: {error}; quarantine the body and fail the run",
                raw_text=self.redact(response.text[:_RAW_TEXT_LIMIT]),
                source=self.source,
                endpoint=endpoint,
                status_code=status,
            )
        detail = f"HTTP {status}" + (f" {error_code}" if error_code else "")
        if message:
            detail += f": {self.redact(message)}"
        retryable = status in _RETRYABLE_STATUS or status >= 500
        if retryable and error_code not in TERMINAL_ERROR_CODES:
            record = self._finish(draft, started, busy, error=detail)
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._now())
            raise RetryableAttempt(record, detail, retry_after)
        self._emit(self._finish(draft, started, busy, error=detail))
        hint = hint_for(status, error_code, self._status_hints)
        label = f"{error_code}: " if error_code else ""
        logger.error("%s %s failed: %s", self.source, endpoint, detail)
        raise classify(status, error_code)(
            f"{label}{hint} ({self.source} {endpoint} answered {detail})",
            source=self.source,
            endpoint=endpoint,
            status_code=status,
            error_code=error_code,
            attempts=draft.attempt,
        )

    def _finish(
        self,
        draft: FeedRequest,
        started: float,
        busy: list[float],
        outcome: Outcome = "error",
        error: str | None = None,
    ) -> FeedRequest:
        elapsed = time.perf_counter() - started
        busy[0] += elapsed
        return replace(draft, outcome=outcome, error=error, latency_ms=elapsed * 1000.0)

    def _describe(self, exc: Exception) -> str:
        text = self.redact(str(exc))
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

    def _emit(self, record: FeedRequest) -> None:
        logger.debug(
            "%s %s attempt %d -> %s (%s, %.0f ms)",
            record.source,
            record.endpoint,
            record.attempt,
            record.outcome,
            record.status_code,
            record.latency_ms,
        )
        if self._recorder is not None:
            self._recorder(record)

    def _before_retry(self, retry_state: RetryCallState) -> None:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if not isinstance(exc, RetryableAttempt):
            return
        self._emit(replace(exc.record, outcome="retry"))
        logger.warning(
            "%s %s attempt %d failed (%s); retrying in %.2f s",
            self.source,
            exc.record.endpoint,
            exc.record.attempt,
            exc.description,
            retry_state.upcoming_sleep,
        )

    def _give_up(self, exc: RetryError, endpoint: str) -> FeedError:
        last = exc.last_attempt.exception()
        if not isinstance(last, RetryableAttempt):
            return FeedUnavailableError(f"{self.source} {endpoint}: gave up", source=self.source)
        self._emit(last.record)
        attempts = last.record.attempt
        if attempts < self.policy.max_attempts:
            why = f"the {self.policy.max_total_seconds:g} s retry budget would be exceeded"
            if last.retry_after is not None:
                why += f" (the provider asked to wait {last.retry_after:g} s)"
        else:
            why = f"all {attempts} attempts failed"
        message = (
            f"{self.source} {endpoint}: gave up after {attempts} attempt(s), {why}; last "
            f"failure {last.description}. The provider is unavailable or rate limiting: "
            "retry the run later"
        )
        logger.error("%s", message)
        return FeedUnavailableError(
            message,
            source=self.source,
            endpoint=endpoint,
            status_code=last.record.status_code,
            attempts=attempts,
        )


def _decode(response: httpx.Response) -> tuple[Any, str | None]:
    try:
        return json.loads(response.content), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, type(exc).__name__ + ": " + str(exc)[:200]


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    """``error_code`` and message from an Odds API ``{message, error_code}`` or BDL ``{error}``."""
    if not isinstance(body, dict):
        return None, None
    code = body.get("error_code")
    message = body.get("message") or body.get("error")
    return (
        code if isinstance(code, str) else None,
        str(message)[:500] if message is not None else None,
    )
