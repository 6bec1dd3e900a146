"""Board as of T: the latest price per (book, market, outcome, point) of one game at T.

    .venv/bin/python bench/board_as_of.py                       # the season bench database
    .venv/bin/python bench/board_as_of.py --url postgresql://…  # any loaded warehouse

Runs 1,000 random (game, T) pairs, T uniform between a game's first price and its tip-off,
through three formulations of the same read, on ``nba.odds_snapshots`` (range-partitioned
by month) and on an unpartitioned copy with the same unique index, and checks that all of
them return the same boards. Also reports table and index bytes per row.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import psycopg

from nba_assets.warehouse.pit import BOARD_SQL, ODDS_LOOKBACK

NAIVE = """
SELECT DISTINCT ON (book_id, market, outcome)
       game_id, book_id, market, outcome, point, snapshot_time, price_decimal
FROM nba.odds_snapshots
WHERE game_id = %(game_id)s AND snapshot_time > %(opens)s AND snapshot_time <= %(at)s
  AND ingested_at <= %(known_at)s
ORDER BY book_id, market, outcome, snapshot_time DESC
"""
NAIVE_UNBOUNDED = NAIVE.replace("AND snapshot_time > %(opens)s ", "")


def _params_style(sql: str) -> str:
    """SQLAlchemy ``:name`` parameters -> psycopg ``%(name)s``."""
    import re

    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql)


def _samples(conn: psycopg.Connection, n: int, seed: int) -> list[dict]:
    games = conn.execute(
        """SELECT g.game_id, min(o.snapshot_time), max(o.snapshot_time)
           FROM (SELECT DISTINCT game_id FROM nba.games) g
           JOIN LATERAL (SELECT snapshot_time FROM nba.odds_snapshots o
                         WHERE o.game_id = g.game_id) o ON true
           GROUP BY g.game_id"""
    ).fetchall()
    rng = random.Random(seed)
    known_at = conn.execute("SELECT now()").fetchone()[0]
    out = []
    for _ in range(n):
        game_id, first, last = rng.choice(games)
        at = first + (last - first) * rng.random()
        out.append({"game_id": game_id, "at": at, "known_at": known_at, "opens": _opens(game_id)})
    return out


def _opens(game_id: int):
    from nba_assets.core.slates import slate_of_game_id, slate_window

    return slate_window(slate_of_game_id(game_id))[0] - ODDS_LOOKBACK


def _time(conn: psycopg.Connection, sql: str, samples: list[dict]) -> tuple[list[float], list]:
    cur = conn.cursor()
    for s in samples[:20]:  # warm caches and the prepared statement
        cur.execute(sql, s, prepare=True).fetchall()
    times, boards = [], []
    for s in samples:
        started = time.perf_counter()
        rows = cur.execute(sql, s, prepare=True).fetchall()
        times.append((time.perf_counter() - started) * 1000)
        boards.append(sorted((r[1], str(r[2]), str(r[3]), float(r[4]), r[5]) for r in rows))
    return times, boards


def _pct(times: list[float], q: float) -> float:
    return statistics.quantiles(times, n=100)[int(q) - 1]


def _bytes_per_row(conn: psycopg.Connection, table: str) -> tuple[int, float, float]:
    rows, heap, index = conn.execute(
        f"""SELECT (SELECT count(*) FROM {table}),
                   sum(pg_table_size(relid)), sum(pg_indexes_size(relid))
            FROM pg_partition_tree('{table}'::regclass)"""
    ).fetchone()
    return rows, heap / rows, index / rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default=None, help="default: the season bench database")
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20231024)
    args = parser.parse_args()
    url = args.url or _season_url()
    with psycopg.connect(url, autocommit=True) as conn:
        samples = _samples(conn, args.pairs, args.seed)
        rows, heap, index = _bytes_per_row(conn, "nba.odds_snapshots")
        print(
            f"nba.odds_snapshots: {rows:,} rows; bytes per row: table {heap:.0f}, "
            f"indexes {index:.0f}, all in {heap + index:.0f}"
        )
        conn.execute("DROP TABLE IF EXISTS public.odds_flat")
        conn.execute("CREATE TABLE public.odds_flat AS TABLE nba.odds_snapshots")
        # The same unique index as the partitioned table's, copied from its definition.
        key = conn.execute("SELECT pg_get_indexdef('nba.odds_snapshots_key'::regclass)").fetchone()[
            0
        ]
        columns = key[key.index("(") :]
        conn.execute(f"CREATE UNIQUE INDEX ON public.odds_flat {columns}")
        conn.execute("VACUUM ANALYZE public.odds_flat")
        conn.execute("VACUUM ANALYZE nba.odds_snapshots")
        project = _params_style(BOARD_SQL)
        contenders = [
            ("project (LATERAL per key)", "nba.odds_snapshots", project),
            ("project (LATERAL per key)", "public.odds_flat", project),
            ("DISTINCT ON, lower bound", "nba.odds_snapshots", NAIVE),
            ("DISTINCT ON, lower bound", "public.odds_flat", NAIVE),
            ("DISTINCT ON, no lower bound", "nba.odds_snapshots", NAIVE_UNBOUNDED),
        ]
        reference = None
        print(f"{args.pairs} random (game, T) pairs")
        print(f"  {'query':<30}{'table':<22}{'p50 ms':>8}{'p95 ms':>8}")
        for name, table, sql in contenders:
            times, boards = _time(conn, sql.replace("nba.odds_snapshots", table), samples)
            if reference is None:
                reference = boards
            same = "" if boards == reference else "  (boards differ!)"
            print(f"  {name:<30}{table:<22}{_pct(times, 50):8.2f}{_pct(times, 95):8.2f}{same}")
        conn.execute("DROP TABLE public.odds_flat")


def _season_url() -> str:
    from sqlalchemy.engine import make_url

    from nba_assets.warehouse.engine import warehouse_url

    return (
        make_url(warehouse_url())
        .set(database="nba_bench_season")
        .render_as_string(hide_password=False)
    )


if __name__ == "__main__":
    main()
