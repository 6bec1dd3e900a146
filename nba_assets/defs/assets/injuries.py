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
from nba_assets.warehouse import ingest, reads
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


def _latest_reports(*frames: pd.DataFrame) -> pd.DataFrame:
    """Each player's latest report across ``frames`` (later frames win)."""
    present = [f for f in frames if not f.empty]
    if not present:
        return frames[0]
    stacked = pd.concat(present, ignore_index=True)
    return stacked.drop_duplicates("source_player_id", keep="last").reset_index(drop=True)


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
    from the status through a versioned rule kept with the row. The provider lists only
    who is on the report, so a player it stops naming gets a version saying he is
    available ("(absent from report)"), judged against the warehouse's stored report
    before the run's first poll and the previous poll after it.
    """
    from nba_assets.analytics.injuries import DEFAULT_RULE, cleared_from_report
    from nba_assets.feeds.balldontlie.normalize import normalize_injuries, normalize_teams

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
    cleared_count, polls_not_clearing = 0, 0
    with feed_calls(context, engine, run_id) as calls:
        for season, instants in timelines.items():
            with feeds.session(season, log=calls.append) as session:
                source = session.bdl_source
                _, teams = read_feed(
                    engine,
                    run_id,
                    report,
                    source=source,
                    table="injuries",
                    slate=first_slate,
                    fetch=session.bdl.teams,
                    normalize=lambda r: normalize_teams(r.data, endpoint=r.endpoint),
                )
                report.quarantined += quarantine_batch(engine, teams, run_id, source, first_slate)
                polls = sorted(instants, key=lambda t: t or utc_now())
                # Who is on the report before the first poll is what the warehouse holds
                # then: a live run polls once, so only the stored state shows who left.
                standing = reads.injury_report_as_of(engine, source, polls[0] or utc_now())
                frames = []
                for at in polls:
                    session.clock.at = at
                    response, batch = read_feed(
                        engine,
                        run_id,
                        report,
                        source=source,
                        table="injuries",
                        slate=first_slate,
                        fetch=session.bdl.player_injuries,
                        normalize=lambda r, team_ids=teams.mapping: normalize_injuries(
                            r.data,
                            observed_at=r.received_at,
                            team_ids=team_ids,
                            endpoint=r.endpoint,
                        ),
                    )
                    report.quarantined += quarantine_batch(
                        engine, batch, run_id, source, first_slate
                    )
                    current = batch["injuries"]
                    cleared = cleared_from_report(
                        standing,
                        response.received_at,
                        listed=batch.listed,
                        unread_teams=batch.unread_teams,
                        complete=batch.complete,
                    )
                    cleared_count += len(cleared)
                    polls_not_clearing += not batch.complete
                    frames += [current, cleared]
                    standing = _latest_reports(standing, current, cleared)
                with report.stage("append"):
                    # An empty report (the off-season) still appends: nothing, counted.
                    present = [f for f in frames if not f.empty] or frames[:1]
                    reports = pd.concat(present, ignore_index=True)
                    if not reports.empty:
                        reports = reports.assign(
                            play_probability=DEFAULT_RULE.probabilities(reports["status"]),
                            probability_rule=DEFAULT_RULE.label,
                        )
                    rows = ingest.player_rows(engine, reports, source)
                    report.add(
                        append_idempotent(engine, "injuries", rows, run_id=run_id, source=source)
                    )
                report.preview = rows
    report.extra["players_cleared"] = cleared_count
    # A poll with a rejected record that names no one cannot show who left the report.
    report.extra["polls_not_clearing"] = polls_not_clearing
    yield from finish(context, engine, calls, report)
