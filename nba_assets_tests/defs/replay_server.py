"""A real local HTTP server that answers recorded provider payloads.

It stands in for The Odds API and BallDontLie at the transport boundary: the project's
clients talk to it over a socket exactly as they would to the providers. Each route answers
only the requests it has a recording for (a path, plus the query values that decide what the
recorded body means); anything else gets a 404 so a gap in the recordings is visible, never
papered over. Every request is kept, headers included, so tests can see what travelled.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

Query = dict[str, list[str]]
# A route answers the decoded query with a body (recorded bytes as they are, or a JSON value),
# or None when it has no recording for that query.
Answer = Callable[[Query], Any | None]


@dataclass(frozen=True)
class Seen:
    """One request as the server received it (header names lower-cased)."""

    path: str
    query: Query
    headers: dict[str, str]
    status: int


def recorded(body: Any, **required: list[str]) -> Answer:
    """Answer ``body`` only when the query carries exactly these values for these names."""

    def answer(query: Query) -> Any | None:
        if any(query.get(name) != values for name, values in required.items()):
            return None
        return body

    return answer


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def historical_archive(envelopes: list[bytes]) -> Answer:
    """The Odds API historical semantics over recorded envelopes (their exact bytes).

    ``date=`` gets the latest recorded snapshot whose ``timestamp`` is at or before it, as
    the provider documents; a ``date`` before every recording has no answer.
    """
    ordered = sorted(envelopes, key=lambda e: _instant(json.loads(e)["timestamp"]))

    def answer(query: Query) -> bytes | None:
        dates = query.get("date")
        if not dates or len(dates) != 1:
            return None
        at = _instant(dates[0])
        earlier = [e for e in ordered if _instant(json.loads(e)["timestamp"]) <= at]
        return earlier[-1] if earlier else None

    return answer


class ReplayServer:
    """A threaded HTTP server on 127.0.0.1 answering GETs from ``routes`` (path -> answer)."""

    def __init__(self, routes: Mapping[str, Answer]) -> None:
        self.routes = dict(routes)
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query, keep_blank_values=True)
                route = server.routes.get(url.path)
                body = route(query) if route is not None else None
                if body is None:
                    status = 404
                    payload = {"message": f"no recorded payload for GET {url.path}"}
                else:
                    status, payload = 200, body
                raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                with server._lock:
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    server.seen.append(Seen(url.path, query, headers, status))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def requests(self, path_prefix: str = "/") -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.path.startswith(path_prefix)]

    @contextmanager
    def running(self) -> Iterator[ReplayServer]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()
