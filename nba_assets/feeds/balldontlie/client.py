"""BallDontLie v1 NBA client: teams, players, games, stats and player injuries.

Listings are cursor-paginated (``meta.next_cursor``, ``per_page`` up to 100). The client
follows cursors to the end and returns every record, because a half-read slate would look
complete downstream; a page cap and a repeated-cursor check turn a runaway listing into a
loud error instead of an endless loop. Stats and injuries need a paid tier, which the
provider signals with a 401 just like a bad key, so the 401 hint names both causes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import httpx
from pydantic import ValidationError

from nba_assets.feeds.balldontlie.models import BdlMeta
from nba_assets.feeds.balldontlie.normalize import team_id_map
from nba_assets.feeds.errors import FeedPaginationError, PayloadError
from nba_assets.feeds.http import (
    Clock,
    FeedHttpClient,
    FeedResponse,
    Recorder,
    RetryPolicy,
    Sleeper,
)

SOURCE = "balldontlie"
DEFAULT_BASE_URL = "https://api.balldontlie.io"
MAX_PER_PAGE = 100
_STATUS_HINTS = {
    401: (
        "the key is missing or invalid, or the plan lacks this endpoint (stats and injuries "
        "need ALL-STAR or higher); check BALLDONTLIE_API_KEY and the tier"
    ),
    429: "the tier's per-minute limit was hit; slow the schedule down or raise the tier",
}


class BallDontLieClient:
    """Sync client for ``api.balldontlie.io/v1``; the key is the raw ``Authorization`` header."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        recorder: Recorder | None = None,
        sleep: Sleeper | None = None,
        *,
        policy: RetryPolicy | None = None,
        now: Clock | None = None,
        per_page: int = MAX_PER_PAGE,
        max_pages: int = 200,
        timeout: float = 15.0,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("The BallDontLie API key is empty; set BALLDONTLIE_API_KEY")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        self.per_page = per_page
        self.max_pages = max_pages
        self._http = FeedHttpClient(
            source=SOURCE,
            base_url=base_url,
            transport=transport,
            secret_headers={"Authorization": api_key},
            policy=policy,
            recorder=recorder,
            sleep=sleep,
            now=now,
            timeout=timeout,
            status_hints=_STATUS_HINTS,
        )

    def __repr__(self) -> str:
        return f"BallDontLieClient(per_page={self.per_page}, max_pages={self.max_pages})"

    def __enter__(self) -> BallDontLieClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def teams(self) -> FeedResponse:
        """``GET /v1/teams``: current franchises plus defunct ones (ids above 30)."""
        return self._collect("/v1/teams", {})

    def team_id_map(self) -> dict[int, int]:
        """BallDontLie team id -> internal team id, fetched from ``/v1/teams``."""
        return team_id_map(self.teams().data)

    def players(
        self,
        *,
        search: str | None = None,
        team_ids: Iterable[int] | None = None,
        player_ids: Iterable[int] | None = None,
    ) -> FeedResponse:
        """``GET /v1/players``, optionally filtered."""
        params = _arrays(team_ids=team_ids, player_ids=player_ids)
        if search:
            params["search"] = search
        return self._collect("/v1/players", params)

    def games(
        self,
        *,
        dates: Iterable[date] | None = None,
        seasons: Iterable[int] | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
        team_ids: Iterable[int] | None = None,
        postseason: bool | None = None,
    ) -> FeedResponse:
        """``GET /v1/games`` by slate dates, seasons (2023 = 2023-24) or a date range."""
        params = _arrays(dates=dates, seasons=seasons, team_ids=team_ids)
        params.update(_range(start_date, end_date, postseason))
        return self._collect("/v1/games", params)

    def stats(
        self,
        *,
        dates: Iterable[date] | None = None,
        game_ids: Iterable[int] | None = None,
        player_ids: Iterable[int] | None = None,
        seasons: Iterable[int] | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
        postseason: bool | None = None,
    ) -> FeedResponse:
        """``GET /v1/stats``: full-game box-score lines (``period`` 0)."""
        params = _arrays(dates=dates, game_ids=game_ids, player_ids=player_ids, seasons=seasons)
        params.update(_range(start_date, end_date, postseason))
        return self._collect("/v1/stats", params)

    def player_injuries(
        self,
        *,
        team_ids: Iterable[int] | None = None,
        player_ids: Iterable[int] | None = None,
    ) -> FeedResponse:
        """``GET /v1/player_injuries``: the current injury report (no history)."""
        return self._collect(
            "/v1/player_injuries", _arrays(team_ids=team_ids, player_ids=player_ids)
        )

    def _collect(self, path: str, params: dict[str, Any]) -> FeedResponse:
        """Every record of a listing, following ``meta.next_cursor`` to the end."""
        records: list[Any] = []
        seen: set[str] = set()
        cursor: int | str | None = None
        first: FeedResponse | None = None
        last: FeedResponse | None = None
        for page in range(1, self.max_pages + 1):
            page_params = {**params, "per_page": self.per_page}
            if cursor is not None:
                page_params["cursor"] = cursor
            last = self._http.get_json(path, page_params, expect=dict)
            first = first or last
            data = last.data.get("data")
            if not isinstance(data, list):
                raise PayloadError(
                    f"{SOURCE} {last.endpoint}: body has no 'data' list; the endpoint changed "
                    "shape, quarantine the body and fail the run",
                    raw=last.data,
                    source=SOURCE,
                    endpoint=last.endpoint,
                )
            records.extend(data)
            cursor = _next_cursor(last)
            if cursor is None:
                return FeedResponse(
                    data=records,
                    endpoint=first.endpoint,
                    status_code=last.status_code,
                    received_at=last.received_at,
                    attempts=last.attempts,
                    pages=page,
                )
            if str(cursor) in seen:
                raise FeedPaginationError(
                    f"{SOURCE} {first.endpoint}: cursor {cursor} repeated; the listing loops",
                    source=SOURCE,
                    endpoint=first.endpoint,
                )
            seen.add(str(cursor))
        endpoint = first.endpoint if first else path
        raise FeedPaginationError(
            f"{SOURCE} {endpoint}: still more pages after {self.max_pages}; narrow the query "
            "(dates[], seasons[], a shorter range) or raise max_pages",
            source=SOURCE,
            endpoint=endpoint,
        )


def _next_cursor(response: FeedResponse) -> int | str | None:
    meta_raw = response.data.get("meta")
    if meta_raw is None:
        return None
    try:
        meta = BdlMeta.model_validate(meta_raw)
    except ValidationError:
        raise PayloadError(
            f"{SOURCE} {response.endpoint}: unreadable pagination meta {meta_raw!r}",
            raw=response.data,
            source=SOURCE,
            endpoint=response.endpoint,
        ) from None
    if meta.next_cursor is None and meta.next_page is not None:
        raise PayloadError(
            f"{SOURCE} {response.endpoint}: page-based meta (next_page) from the legacy API; "
            "point BALLDONTLIE_BASE_URL at the cursor-paginated v1 API",
            raw=response.data,
            source=SOURCE,
            endpoint=response.endpoint,
        )
    return meta.next_cursor


def _arrays(**values: Iterable[Any] | None) -> dict[str, Any]:
    """BallDontLie's array filters (``dates[]=...&dates[]=...``); dates as ISO strings."""
    params: dict[str, Any] = {}
    for name, items in values.items():
        if items is None:
            continue
        listed = [item.isoformat() if isinstance(item, date) else item for item in items]
        if listed:
            params[f"{name}[]"] = listed
    return params


def _range(start: date | None, end: date | None, postseason: bool | None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if start is not None:
        params["start_date"] = start.isoformat()
    if end is not None:
        params["end_date"] = end.isoformat()
    if postseason is not None:
        params["postseason"] = "true" if postseason else "false"
    return params
