"""httpx transports that answer The Odds API and BallDontLie from a ``SandboxLeague``.

Clients are built exactly as for the live providers and handed this transport; no socket is
opened. Requests are dispatched on the path (``/v4/...`` is The Odds API, ``/v1/...`` or
``/nba/v1/...`` is BallDontLie) whatever the host, so custom base URLs keep working. Every
answer is computed as of the transport's clock, or of the historical ``date`` parameter.

Faults (``SandboxFaults``) are applied here, on the way out, so the clients' real retry,
decoding and quarantine code meets them exactly as it would meet a provider's. An
``observer`` sees every answer as delivered (status, bytes, the fault injected), which is
what a soak run compares the warehouse against.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from nba_assets.core.slates import require_aware
from nba_assets.feeds.sandbox import balldontlie, odds_api
from nba_assets.feeds.sandbox.balldontlie import DateStyle
from nba_assets.feeds.sandbox.faults import (
    PRE_RESPONSE_FAULTS,
    FaultKind,
    HttpFault,
    JsonPath,
    SandboxFaults,
    damage_record,
)
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.replies import Call, Reply

Clock = Callable[[], datetime]
DEFAULT_QUOTA = 20_000_000
_MALFORMED = b'{"data":[{"id":1,"status":"Fi'
_HTML_200 = b"<html><body><h1>upstream error</h1></body></html>"
# Query parameters that carry a credential: kept out of fault draws and observations.
_SECRET_PARAMS = frozenset({"apiKey"})
_STATUS_TEXT = {
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def encode(body: object) -> bytes:
    """The compact JSON the sandbox sends: the same object always gives the same bytes."""
    return json.dumps(body, separators=(",", ":")).encode()


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Served:
    """One request as the sandbox answered it, handed to the transport's ``observer``.

    ``status`` is None when the call failed on the connection (a timeout, a reset) and
    ``body`` is then empty. ``fault`` is what was injected (None: an honest answer) and
    ``damaged`` the JSON path of the value a ``CORRUPTED_RECORD`` fault changed.
    """

    path: str
    params: tuple[tuple[str, str], ...]
    at: datetime
    status: int | None
    body: bytes
    fault: FaultKind | HttpFault | None = None
    damaged: JsonPath | None = None


Observer = Callable[[Served], None]


class SandboxTransport(httpx.BaseTransport):
    """Answers both providers' HTTP APIs from ``league``, as of ``clock()``.

    ``requests_quota`` seeds ``x-requests-remaining``; credits are charged per the Odds API
    cost rules and an exhausted quota answers 401 ``OUT_OF_USAGE_CREDITS``.
    ``bdl_date_style="midnight_utc"`` renders BallDontLie game dates the way the 2024
    capture shows them (``2024-04-04T00:00:00.000Z``) instead of the documented ``2024-04-04``.
    ``observer`` is called with every answer as delivered (see ``Served``).
    """

    def __init__(
        self,
        league: SandboxLeague,
        clock: Clock | None = None,
        faults: SandboxFaults | None = None,
        *,
        requests_quota: int = DEFAULT_QUOTA,
        bdl_date_style: DateStyle = "date",
        observer: Observer | None = None,
    ) -> None:
        self.league = league
        self.clock: Clock = clock or _utc_now
        self.faults = faults or SandboxFaults()
        self.bdl_date_style: DateStyle = bdl_date_style
        self.observer = observer
        self.requests_used = 0
        self.requests_remaining = requests_quota
        self.calls: list[str] = []
        self._fault_hits = [0] * len(self.faults.http)
        self._seen: dict[tuple[object, ...], int] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.rstrip("/") or "/"
        if path.startswith("/nba/v1/"):
            path = path[len("/nba") :]
        now = require_aware(self.clock(), "sandbox clock")
        params = tuple(
            sorted((k, v) for k, v in request.url.params.multi_items() if k not in _SECRET_PARAMS)
        )
        with self._lock:
            self.calls.append(path)
            fault = self._take_fault(path)
            drawn = self._draw(request.method, path, params, now) if fault is None else None
        odds_api_call = path.startswith("/v4/")

        def served(
            response: httpx.Response,
            fault: FaultKind | HttpFault | None = None,
            damaged: JsonPath | None = None,
        ) -> httpx.Response:
            self._observe(path, params, now, response.status_code, response.content, fault, damaged)
            return response

        if fault is not None:
            return served(self._fault_response(fault, request, odds_api_call), fault=fault)
        if drawn is not None and drawn[0] in PRE_RESPONSE_FAULTS:
            kind, variant = drawn
            return served(self._failed_call(kind, variant, request, path, params, now), fault=kind)
        if request.method not in ("GET", "HEAD"):
            reply = Reply(405, {"message": "Method not allowed", "error_code": "NOT_ALLOWED"})
            return served(self._respond(reply, request, odds_api_call))
        call = Call(
            path=path,
            params=request.url.params,
            headers=request.headers,
            now=now,
            faults=self.faults,
        )
        if odds_api_call:
            reply = odds_api.handle(self.league, call)
        elif path.startswith("/v1/"):
            reply = balldontlie.handle(self.league, call, self.bdl_date_style)
        else:
            reply = Reply(404, {"error": "Not Found"})
        if drawn is not None and reply.status == 200:
            spoiled, damaged = self._spoil(reply, path, *drawn)
            if spoiled is not None:
                response = self._respond(spoiled, request, odds_api_call)
                return served(response, fault=drawn[0], damaged=damaged)
        return served(self._respond(reply, request, odds_api_call))

    def _draw(
        self, method: str, path: str, params: tuple[tuple[str, str], ...], now: datetime
    ) -> tuple[FaultKind, int] | None:
        """The random fault for this request, if any (called under the lock).

        The n-th identical request (same method, path, query and clock instant) is part of
        the key, so a client's retry at a frozen clock draws afresh, deterministically.
        """
        chosen = self.faults.random
        if chosen is None or not path.startswith(chosen.path_prefix):
            return None
        key = (method, path, params, now.isoformat())
        nth = self._seen.get(key, 0)
        self._seen[key] = nth + 1
        return chosen.draw(*key, nth)

    def _failed_call(
        self,
        kind: FaultKind,
        variant: int,
        request: httpx.Request,
        path: str,
        params: tuple[tuple[str, str], ...],
        now: datetime,
    ) -> httpx.Response:
        """A refusal or a broken connection, before any answer is computed (and charged)."""
        odds_api_call = path.startswith("/v4/")
        if kind is FaultKind.RATE_LIMITED:
            fault = HttpFault(path, status=429, retry_after="1")
        elif kind is FaultKind.SERVER_ERROR:
            fault = HttpFault(path, status=(500, 503)[variant % 2])
        elif kind is FaultKind.BAD_GATEWAY:
            fault = HttpFault(path, status=502)
        else:
            self._observe(path, params, now, None, b"", fault=kind)
            if kind is FaultKind.TIMEOUT:
                raise httpx.ReadTimeout("The read operation timed out", request=request)
            if variant % 2:
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                )
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        return self._fault_response(fault, request, odds_api_call)

    def _spoil(
        self, reply: Reply, path: str, kind: FaultKind, variant: int
    ) -> tuple[Reply | None, JsonPath | None]:
        """The reply with its body broken by ``kind``, or None when there was nothing to break.

        The provider did the work, so the credits are charged as for the honest answer.
        """
        content = reply.body if isinstance(reply.body, bytes) else encode(reply.body)
        if kind is FaultKind.MALFORMED_BODY:
            broken = (_MALFORMED, _HTML_200)[variant % 2]
        elif kind is FaultKind.TRUNCATED_BODY:
            broken = content[: 1 + variant % (len(content) - 1)] if len(content) > 1 else b""
        else:
            body = json.loads(content)  # a copy: rendered bodies may be shared or cached
            damaged = damage_record(body, path, variant)
            if damaged is None:
                return None, None
            return Reply(200, encode(body), reply.cost, reply.headers), damaged
        return Reply(200, broken, reply.cost, reply.headers), None

    def _observe(
        self,
        path: str,
        params: tuple[tuple[str, str], ...],
        now: datetime,
        status: int | None,
        body: bytes,
        fault: FaultKind | HttpFault | None = None,
        damaged: JsonPath | None = None,
    ) -> None:
        if self.observer is not None:
            self.observer(Served(path, params, now, status, body, fault, damaged))

    def _take_fault(self, path: str) -> HttpFault | None:
        for i, fault in enumerate(self.faults.http):
            if path.startswith(fault.path_prefix) and self._fault_hits[i] < fault.first_calls:
                self._fault_hits[i] += 1
                return fault
        return None

    def _charge(self, reply: Reply) -> Reply:
        if reply.status != 200 or reply.cost == 0:
            return reply
        with self._lock:
            if reply.cost > self.requests_remaining:
                return odds_api.error(401, "OUT_OF_USAGE_CREDITS", "Usage quota has been reached.")
            self.requests_used += reply.cost
            self.requests_remaining -= reply.cost
        return reply

    def _usage_headers(self, cost: int) -> dict[str, str]:
        return {
            "x-requests-used": str(self.requests_used),
            "x-requests-remaining": str(self.requests_remaining),
            "x-requests-last": str(cost),
        }

    def _respond(self, reply: Reply, request: httpx.Request, odds_api_call: bool) -> httpx.Response:
        headers = {"content-type": "application/json; charset=utf-8", **reply.headers}
        if odds_api_call:
            reply = self._charge(reply)
            headers.update(self._usage_headers(reply.cost if reply.status == 200 else 0))
        content = reply.body if isinstance(reply.body, bytes) else encode(reply.body)
        return httpx.Response(reply.status, headers=headers, content=content, request=request)

    def _fault_response(
        self, fault: HttpFault, request: httpx.Request, odds_api_call: bool
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        if fault.retry_after is not None:
            headers["retry-after"] = fault.retry_after
        if fault.malformed:
            reply = Reply(200, _MALFORMED, headers=headers)
        elif fault.status == 502:
            headers["content-type"] = "text/html"
            html = b"<html><head><title>502 Bad Gateway</title></head></html>"
            return httpx.Response(502, headers=headers, content=html, request=request)
        elif odds_api_call:
            code = "EXCEEDED_FREQ_LIMIT" if fault.status == 429 else "SERVER_ERROR"
            message = _STATUS_TEXT.get(fault.status, "Error")
            if fault.status == 429:
                message = "Your app is making too many requests. Retry after a couple of seconds."
            reply = Reply(fault.status, {"message": message, "error_code": code}, headers=headers)
        else:
            reply = Reply(
                fault.status, {"error": _STATUS_TEXT.get(fault.status, "Error")}, headers=headers
            )
        return self._respond(reply, request, odds_api_call)


class AsyncSandboxTransport(httpx.AsyncBaseTransport):
    """The same sandbox for ``httpx.AsyncClient``; answers are computed synchronously."""

    def __init__(
        self,
        league: SandboxLeague,
        clock: Clock | None = None,
        faults: SandboxFaults | None = None,
        *,
        requests_quota: int = DEFAULT_QUOTA,
        bdl_date_style: DateStyle = "date",
        observer: Observer | None = None,
    ) -> None:
        self.sync = SandboxTransport(
            league,
            clock,
            faults,
            requests_quota=requests_quota,
            bdl_date_style=bdl_date_style,
            observer=observer,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.sync.handle_request(request)
