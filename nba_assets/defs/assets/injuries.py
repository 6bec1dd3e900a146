"""Injury reports: each player's status as reported, polled toward tip-off."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import dagster as dg
import pandas as pd

from nba_assets.core.slates import SLATE_TZ, season_of, slate_window, utc_now
from nba_assets.defs.assets.common import RunReport, is_live, slates
from nba_assets.defs.assets.feed_steps import (
    INGEST_COMMON,
    feed_calls,
    finish,
    fresh_within,
    quarantine_batch,
    read_feed,
    tip_offs,
)
from nba_assets.defs.assets.stats_feed import games
from nba_assets.defs.checks.ingest_checks import checks_for
from nba_assets.defs.checks.registry import specs
from nba_assets.defs.resources import (
    FeedsResource,
    WarehouseResource,
)
from nba_assets.warehouse import ingest
from nba_assets.warehouse.append import append_idempotent


class InjuryHistoryConfig(dg.Config):
    """How often a past slate's injury report is replayed (sandbox feed only)."""

    interval_hours: int = 3
    open_hour_et: int = 10


def _injury_instants(slate: date, tip_offs: list[datetime], config: InjuryHistoryConfig):
    opens = datetime.combine(slate - timedelta(days=1), time(config.open_hour_et), SLATE_TZ)
    last = max(tip_offs) if tip_offs else slate_window(slate)[1]
    instants, at = [], opens
    while at < last:
        instants.append(at)
        at += timedelta(hours=config.interval_hours)
    return [*instants, last - timedelta(minutes=30)]


def _cleared(previous: pd.DataFrame, current: pd.DataFrame, at: datetime) -> pd.DataFrame:
    """Players reported before but absent from a full report now count as available."""
    gone = previous[~previous["source_player_id"].isin(current["source_player_id"])]
    gone = gone[gone["status"] != "available"]
    return gone.assign(
        status="available",
        status_raw="(absent from report)",
        description=None,
        return_date=None,
        return_date_raw=None,
        reported_at=pd.Timestamp(at),
    )


@dg.asset(
    kinds={"postgres", "python"},
    deps=[games],
    check_specs=specs(checks_for("injuries")),
    tags={"nba/feed": "balldontlie"},
    pool="balldontlie",
    freshness_policy=fresh_within(60),
    **INGEST_COMMON,
)
def injuries(
    context: dg.AssetExecutionContext,
    config: InjuryHistoryConfig,
    warehouse: WarehouseResource,
    feeds: FeedsResource,
) -> Iterator[object]:
    """One report of one player's status, scored by how likely the player is to play.

    Grain: player x source x version (a new row only when a report changes; `reported_at`
    is when the change was first seen). Source: BallDontLie `/v1/player_injuries`, which
    has no history: past slates replay only on the sandbox feed. `play_probability` comes
    from the status through a versioned rule kept with the row.
    """
    from nba_assets.analytics.injuries import DEFAULT_RULE
    from nba_assets.feeds.balldontlie.normalize import normalize_injuries, team_id_map

    engine, run_id, report = warehouse.engine(), context.run.run_id, RunReport()
    # The report is league-wide: consecutive slates share polls, so the run polls one
    # merged timeline per season instead of one grid per slate.
    timelines: dict[int, set[datetime | None]] = {}
    for slate in slates(context):
        if is_live(slate):
            timelines.setdefault(season_of(slate), set()).add(None)
        elif feeds.live:
            report.extra["note"] = "the live injury feed has no history; past slates skipped"
        else:
            instants = _injury_instants(slate, tip_offs(engine, slate), config)
            timelines.setdefault(season_of(slate), set()).update(instants)
    first_slate = slates(context)[0]
    with feed_calls(context, engine, run_id) as calls:
        for season, instants in timelines.items():
            with feeds.session(season, log=calls.append) as session:
                _, team_ids = read_feed(
                    engine,
                    run_id,
                    report,
                    source=session.bdl_source,
                    table="injuries",
                    slate=first_slate,
                    fetch=session.bdl.teams,
                    normalize=lambda r: team_id_map(r.data),
                )
                previous = pd.DataFrame(columns=["source_player_id", "status"])
                frames = []
                for at in sorted(instants, key=lambda t: t or utc_now()):
                    session.clock.at = at
                    response, batch = read_feed(
                        engine,
                        run_id,
                        report,
                        source=session.bdl_source,
                        table="injuries",
                        slate=first_slate,
                        fetch=session.bdl.player_injuries,
                        normalize=lambda r, team_ids=team_ids: normalize_injuries(
                            r.data,
                            observed_at=r.received_at,
                            team_ids=team_ids,
                            endpoint=r.endpoint,
                        ),
                    )
                    current = batch["injuries"]
                    frames += [current, _cleared(previous, current, response.received_at)]
                    previous = current
                    report.quarantined += quarantine_batch(
                        engine, batch, run_id, session.bdl_source, first_slate
                    )
                with report.stage("append"):
                    reports = pd.concat([f for f in frames if not f.empty], ignore_index=True)
                    if not reports.empty:
                        reports = reports.assign(
                            play_probability=DEFAULT_RULE.probabilities(reports["status"]),
                            probability_rule=DEFAULT_RULE.label,
                        )
                    rows = ingest.player_rows(engine, reports, session.bdl_source)
                    report.add(
                        append_idempotent(
                            engine, "injuries", rows, run_id=run_id, source=session.bdl_source
                        )
                    )
                report.preview = rows
    yield from finish(context, engine, calls, report)
