"""Log lines as JSON objects that carry the ids tying each line to its run, slate, asset and feed.

A log shipper (Loki, CloudWatch, Datadog) can then answer "everything run X said about
the odds feed on slate D" with a filter instead of a regular expression. Every line goes
through the same redaction as the feeds' URLs, plus the values of the key variables
themselves, so a key that slipped into a message never reaches the log.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

FEED_TAG = "nba/feed"
SECRET_ENV_VARS = ("ODDS_API_KEY", "BALLDONTLIE_API_KEY")
# The stats feed serves these assets; the odds feed tags its own asset.
ASSET_FEEDS = {
    "odds_snapshots": "odds_api",
    "games": "balldontlie",
    "injuries": "balldontlie",
    "player_stats": "balldontlie",
    "game_results": "balldontlie",
}
_KEY_IN_QUERY = re.compile(r"(?i)((?:api_?key|apikey|token|authorization)[=:]\s*)[^&\s\"']+")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
# Dagster's own attributes (the event object, its batch) are described by the fields
# above, not dumped.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {
    "message",
    "asctime",
    "dagster_meta",
    "dagster_event",
    "dagster_event_batch_metadata",
}
_JSON_SCALARS = (str, int, float, bool, type(None))


def redact(text: str) -> str:
    """Mask key-like query values and the literal values of the key variables."""
    text = _KEY_IN_QUERY.sub(r"\1REDACTED", text)
    for name in SECRET_ENV_VARS:
        secret = os.environ.get(name)
        if secret and len(secret) >= 8:
            text = text.replace(secret, "REDACTED")
    return text


def partition_of(tags: Mapping[str, str]) -> str | None:
    """The run's partition, or its range as ``start...end`` for a single-run backfill."""
    if "dagster/partition" in tags:
        return tags["dagster/partition"]
    start = tags.get("dagster/asset_partition_range_start")
    end = tags.get("dagster/asset_partition_range_end")
    return f"{start}...{end}" if start and end else None


def _scalar(value: object) -> object:
    """A field as JSON can take it: Dagster's metadata values refuse even to be iterated,
    so anything but a plain scalar goes out as its text."""
    return value if isinstance(value, _JSON_SCALARS) else str(value)


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, message and correlation ids.

    Dagster puts the run's context on each record (``dagster_meta``); fields a caller
    passes with ``extra=`` (a slate's ``partition``, a stage's seconds) are added and win
    over what the run's tags say.
    """

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        tags = meta.get("job_tags") or {}
        event = meta.get("dagster_event")
        asset = meta.get("step_key")
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "message": meta.get("orig_message") or record.getMessage(),
            "run_id": meta.get("run_id"),
            "job": meta.get("job_name"),
            "asset": asset,
            "partition": partition_of(tags),
            "feed": tags.get(FEED_TAG) or ASSET_FEEDS.get(asset or ""),
            "event": getattr(event, "event_type_value", None),
        }
        line.update({k: _scalar(v) for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps({k: v for k, v in line.items() if v is not None}, default=str))


class JsonLinesFileHandler(logging.FileHandler):
    """Every run's log lines as JSON, appended to one file a shipper can tail.

    Named in ``dagster.yaml`` (``python_logs.dagster_handler_config``), so every run of the
    instance writes here whatever its run config says; the console keeps Dagster's own
    readable lines. ``NBA_LOG_FILE`` moves the file (default ``NBA_HOME/logs/runs.jsonl``).
    """

    def __init__(self, filename: str | None = None) -> None:
        from nba_assets.settings import nba_home

        path = Path(
            filename or os.environ.get("NBA_LOG_FILE") or nba_home() / "logs" / "runs.jsonl"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(path, encoding="utf-8", delay=True)
        self.setFormatter(JsonLineFormatter())


@dg.logger(
    config_schema={
        "log_level": dg.Field(str, default_value="INFO", is_required=False),
        "name": dg.Field(str, default_value="nba_assets", is_required=False),
    },
    description="JSON lines on stderr with run id, partition, asset and feed on every line "
    "(for a container whose stderr is shipped; choose it with run config loggers: json).",
)
def json_lines(init_context: dg.InitLoggerContext) -> logging.Logger:
    config = init_context.logger_config
    logger = logging.Logger(config["name"], level=config["log_level"].upper())
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    logger.addHandler(handler)
    return logger
