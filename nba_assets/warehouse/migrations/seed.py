"""Reference rows the first migration loads: franchises, their aliases, the sharp books.

The data lives in ``nba_assets.core.teams`` so that code and warehouse agree on one list.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from nba_assets.core.teams import FRANCHISES, alias_rows, normalize_alias

# Books known to post sharp (low-margin, market-making) prices; every other book a feed
# reports is registered as retail on first sight.
SHARP_BOOKS = (("pinnacle", "Pinnacle"), ("circasports", "Circa Sports"), ("lowvig", "LowVig.ag"))


def seed_reference_rows(conn: Connection) -> None:
    conn.execute(
        text(
            "INSERT INTO nba.teams (team_id, abbreviation, city, nickname, full_name, conference,"
            " division, arena, latitude, longitude, time_zone) VALUES (:team_id, :abbreviation,"
            " :city, :nickname, :full_name, :conference, :division, :arena, :latitude,"
            " :longitude, :time_zone)"
        ),
        [
            {
                "team_id": f.team_id,
                "abbreviation": f.abbreviation,
                "city": f.city,
                "nickname": f.nickname,
                "full_name": f.full_name,
                "conference": f.conference,
                "division": f.division,
                "arena": f.arena,
                "latitude": f.latitude,
                "longitude": f.longitude,
                "time_zone": f.time_zone,
            }
            for f in FRANCHISES
        ],
    )
    conn.execute(
        text(
            "INSERT INTO nba.team_aliases (alias, alias_key, team_id)"
            " VALUES (:alias, :alias_key, :team_id)"
        ),
        [{"alias": a, "alias_key": normalize_alias(a), "team_id": t} for a, t in alias_rows()],
    )
    conn.execute(
        text("INSERT INTO nba.books (book_key, title, tier) VALUES (:key, :title, 'sharp')"),
        [{"key": k, "title": t} for k, t in SHARP_BOOKS],
    )
