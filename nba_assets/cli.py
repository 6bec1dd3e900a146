"""``nba-assets``: warehouse set-up and inspection, archive imports and backtests."""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote

from alembic.util import CommandError
from sqlalchemy.engine import make_url

from nba_assets.warehouse import migrate
from nba_assets.warehouse.engine import dagster_storage_url, get_engine, warehouse_url
from nba_assets.warehouse.status import warehouse_status


def libpq_uri(url: str) -> str:
    """``url`` as a libpq connection URI, every part percent-encoded the way libpq decodes it.

    SQLAlchemy renders a space in a query value as ``+``, which libpq keeps as a literal
    ``+``: ``?options=-c%20statement_timeout%3D5s`` would come back as
    ``options=-c+statement_timeout%3D5s`` and psql would refuse it. SQLAlchemy and psycopg
    read the URI written here just as well.
    """
    parsed = make_url(url)

    def enc(part: str, safe: str = "") -> str:
        return quote(part, safe=safe)

    userinfo = ""
    if parsed.username:
        password = f":{enc(parsed.password)}" if parsed.password is not None else ""
        userinfo = f"{enc(parsed.username)}{password}@"
    host = parsed.host or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    port = f":{parsed.port}" if parsed.port else ""
    database = enc(parsed.database) if parsed.database else ""
    params = [
        f"{enc(key)}={enc(value, safe='/')}"
        for key, values in parsed.query.items()
        for value in (values if isinstance(values, tuple) else (values,))
    ]
    query = f"?{'&'.join(params)}" if params else ""
    return f"postgresql://{userinfo}{host}{port}/{database}{query}"


def _db_url(args: argparse.Namespace) -> int:
    if args.dagster:
        # For dagster-postgres (SQLAlchemy, psycopg2 driver), not for psql.
        print(dagster_storage_url())
    else:
        print(libpq_uri(warehouse_url()))
    return 0


def _db_migrate(args: argparse.Namespace) -> int:
    engine = get_engine()
    if args.down and args.to in ("head", "heads"):
        print("migrate failed: --down needs --to REVISION (or base)", file=sys.stderr)
        return 2
    before = migrate.current_revision(engine)
    try:
        if args.down:
            migrate.downgrade(engine, args.to)
        else:
            migrate.migrate_to(engine, args.to)
    except CommandError as exc:
        print(f"migrate failed: {exc}", file=sys.stderr)
        return 2
    after = migrate.current_revision(engine)
    print(f"warehouse at revision {after or 'base'} (was {before or 'base'})")
    return 0


def _db_status(_: argparse.Namespace) -> int:
    status = warehouse_status(get_engine())
    print(f"revision: {status['revision'] or 'base'} (head {status['head']})")
    for table, count in status["row_counts"].items():  # type: ignore[union-attr]
        print(f"  nba.{table:<22} {count:>12,}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from nba_assets.backtest import import_archive
    from nba_assets.feeds.archive import ArchiveFormatError

    try:
        report = import_archive(get_engine(), args.layout, args.path, args.season)
    except (ArchiveFormatError, FileNotFoundError, ValueError) as exc:
        print(f"import failed: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def _backtest(args: argparse.Namespace) -> int:
    from nba_assets.backtest import BacktestConfig, format_table, parse_season, run_backtest

    try:
        season = parse_season(args.season)
    except ValueError as exc:
        print(f"backtest failed: {exc}", file=sys.stderr)
        return 2
    assert season is not None
    config = BacktestConfig(at=args.at)
    try:
        result = run_backtest(
            get_engine(),
            season,
            books=args.book or None,
            include_postseason=args.postseason,
            config=config,
        )
    except LookupError as exc:
        print(f"backtest failed: {exc}", file=sys.stderr)
        return 1
    print("\n".join(format_table(result, config)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nba-assets", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    db = commands.add_parser("db", help="the warehouse database").add_subparsers(
        dest="db_command", required=True
    )
    url = db.add_parser("url", help="print the warehouse URL (starts the embedded server)")
    url.add_argument("--dagster", action="store_true", help="the Dagster instance's URL instead")
    url.set_defaults(func=_db_url)
    mig = db.add_parser(
        "migrate", help="upgrade to head, or up or down to a revision ('--to base' drops all)"
    )
    mig.add_argument(
        "--to", default="head", help="a revision, 'head' or 'base' (below the current one: down)"
    )
    mig.add_argument(
        "--down", action="store_true", help="only downgrade: fail if --to is above the current"
    )
    mig.set_defaults(func=_db_migrate)
    db.add_parser("status", help="revision and row counts").set_defaults(func=_db_status)

    imp = commands.add_parser(
        "import", help="load an odds/results archive (SBR or Kaggle layout) idempotently"
    )
    imp.add_argument("--layout", required=True, choices=("sbr", "kaggle"))
    imp.add_argument("path", help="the CSV file, or a directory holding it")
    imp.add_argument("--season", help="e.g. 2018-19: picks the SBR file, filters Kaggle rows")
    imp.set_defaults(func=_import)

    bt = commands.add_parser(
        "backtest", help="replay a season point in time; print Brier, log loss, ECE, ROI, CLV"
    )
    bt.add_argument("--season", required=True, help="e.g. 2018-19")
    bt.add_argument(
        "--at",
        choices=("auto", "open", "close"),
        default="auto",
        help="scoring instant: noon ET on the opening lines, or the close (auto: open if any)",
    )
    bt.add_argument(
        "--book", action="append", help="only this book key (repeatable), e.g. sbr_archive"
    )
    bt.add_argument("--postseason", action="store_true", help="include playoff games")
    bt.set_defaults(func=_backtest)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
