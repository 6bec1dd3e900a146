"""httpx transports that answer The Odds API and BallDontLie from a ``SandboxLeague``.

Clients are built exactly as for the live providers and handed this transport; no socket is
opened. Requests are dispatched on the path (``/v4/...`` is The Odds API, ``/v1/...`` or
``/nba/v1/...`` is BallDontLie) whatever the host, so custom base URLs keep working. Every
answer is computed as of the transport's clock, or of the historical ``date`` parameter.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

from nba_assets.core.slates import require_aware
from nba_assets.feeds.sandbox import balldontlie, odds_api
from nba_assets.feeds.sandbox.balldontlie import DateStyle
from nba_assets.feeds.sandbox.faults import HttpFault, SandboxFaults
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.replies import Call, Reply

Clock = Callable[[], datetime]
DEFAULT_QUOTA = 20_000_000
_MALFORMED = b'{"data":[{"id":1,"status":"Fi'
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


class SandboxTransport(httpx.BaseTransport):
    """Answers both providers' HTTP APIs from ``league``, as of ``clock()``.

    ``requests_quota`` seeds ``x-requests-remaining``; credits are charged per the Odds API
    cost rules and an exhausted quota answers 401 ``OUT_OF_USAGE_CREDITS``.
    ``bdl_date_style="midnight_utc"`` renders BallDontLie game dates the way the 2024
    capture shows them (``2024-04-04T00:00:00.000Z``) instead of the documented ``2024-04-04``.
    """

    def __init__(
        self,
        league: SandboxLeague,
        clock: Clock | None = None,
        faults: SandboxFaults | None = None,
        *,
        requests_quota: int = DEFAULT_QUOTA,
        bdl_date_style: DateStyle = "date",
    ) -> None:
        self.league = league
        self.clock: Clock = clock or _utc_now
        self.faults = faults or SandboxFaults()
        self.bdl_date_style: DateStyle = bdl_date_style
        self.requests_used = 0
        self.requests_remaining = requests_quota
        self.calls: list[str] = []
        self._fault_hits = [0] * len(self.faults.http)
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.rstrip("/") or "/"
        if path.startswith("/nba/v1/"):
            path = path[len("/nba") :]
        with self._lock:
            self.calls.append(path)
            fault = self._take_fault(path)
        odds_api_call = path.startswith("/v4/")
        if fault is not None:
            return self._fault_response(fault, request, odds_api_call)
        if request.method not in ("GET", "HEAD"):
            reply = Reply(405, {"message": "Method not allowed", "error_code": "NOT_ALLOWED"})
            return self._respond(reply, request, odds_api_call)
        call = Call(
            path=path,
            params=request.url.params,
            headers=request.headers,
            now=require_aware(self.clock(), "sandbox clock"),
            faults=self.faults,
        )
        if odds_api_call:
            reply = odds_api.handle(self.league, call)
        elif path.startswith("/v1/"):
            reply = balldontlie.handle(self.league, call, self.bdl_date_style)
        else:
            reply = Reply(404, {"error": "Not Found"})
        return self._respond(reply, request, odds_api_call)

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
    ) -> None:
        self.sync = SandboxTransport(
            league, clock, faults, requests_quota=requests_quota, bdl_date_style=bdl_date_style
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self.sync.handle_request(request)
