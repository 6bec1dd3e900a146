"""Alerts: always a log line; a JSON POST too when ``NBA_ALERT_WEBHOOK_URL`` is set.

Non-blocking checks that fail do not fail their run, so run-failure alerts alone would
miss them; the check-failure sensor sends these as well.
"""

from __future__ import annotations

import logging
import os

import httpx

log = logging.getLogger("nba_assets.alerts")


def send_alert(
    title: str, details: dict[str, object], transport: httpx.BaseTransport | None = None
) -> bool:
    """Log the alert and post it to the webhook if one is configured; True when posted."""
    log.warning("ALERT %s %s", title, details)
    url = os.environ.get("NBA_ALERT_WEBHOOK_URL")
    if not url:
        return False
    try:
        with httpx.Client(timeout=10, transport=transport) as client:
            client.post(url, json={"title": title, "details": details}).raise_for_status()
    except httpx.HTTPError as exc:
        # The URL may embed a token: name the failure, never the URL.
        log.error("alert webhook failed: %s", type(exc).__name__)
        return False
    return True
