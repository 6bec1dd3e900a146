"""Small PNG charts for calibration reports, rendered in memory.

matplotlib is imported inside each function, so importing the analytics package never pays
its import time in processes that do not draw. Figures are drawn on an explicit Agg canvas
rather than through pyplot: no global backend switch, no figure registry to leak, safe
from several threads of a Dagster run at once.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

FIGSIZE = (6.0, 4.0)
DPI = 100


def _render(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _figure() -> tuple[Any, Any]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def reliability_diagram_png(bins_by_series: Mapping[str, Sequence[Mapping[str, Any]]]) -> bytes:
    """Observed frequency against mean forecast per bin, one line per series, with y = x.

    ``bins_by_series`` maps a label (e.g. "market_consensus h2h 30d") to the ``bins`` list
    of a calibration row; marker area grows with the bin's count.
    """
    fig, ax = _figure()
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="perfect")
    for label, bins in bins_by_series.items():
        xs = [b["mean_pred"] for b in bins]
        ys = [b["mean_obs"] for b in bins]
        sizes = [10 + 90 * b["n"] / max(1, max(c["n"] for c in bins)) for b in bins]
        (line,) = ax.plot(xs, ys, marker="", linewidth=1.2, label=label)
        ax.scatter(xs, ys, s=sizes, color=line.get_color(), zorder=3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency")
    ax.set_title("Reliability")
    ax.legend(loc="upper left", fontsize=8)
    return _render(fig)


def cumulative_clv_png(grades: pd.DataFrame) -> bytes:
    """Running sum of CLV per algorithm (and version) in the order bets were scored.

    A line that climbs steadily means the algorithm keeps beating the closing line, the
    earliest reliable sign of an edge, long before ROI stops being noise.
    """
    fig, ax = _figure()
    frame = grades.dropna(subset=["clv"]).sort_values("scored_at", kind="stable")
    labels = frame["algorithm"].astype(str) + " " + frame["algorithm_version"].astype(str)
    for label, part in frame.groupby(labels, sort=True):
        times = pd.to_datetime(part["scored_at"], utc=True)
        ax.plot(times, part["clv"].cumsum().to_numpy(), linewidth=1.2, label=label)
    ax.axhline(0.0, color="grey", linewidth=1, linestyle="--")
    ax.set_xlabel("scored at")
    ax.set_ylabel("cumulative CLV (units)")
    ax.set_title("Closing line value")
    if len(frame):
        ax.legend(loc="upper left", fontsize=8)
        fig.autofmt_xdate()
    return _render(fig)
