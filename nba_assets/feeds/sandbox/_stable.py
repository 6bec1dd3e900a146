"""Deterministic randomness and the small numeric helpers the sandbox shares.

Every draw in the sandbox comes from a generator seeded by a stable hash of a textual key, so
the same (season, seed, thing) gives the same numbers in every process and on every machine.
Python's ``hash()`` is salted per process and must never feed a seed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np

_SQRT2 = float(np.sqrt(2.0))


def stable_seed(*parts: object) -> int:
    """A 128-bit integer that depends only on the text of ``parts``."""
    key = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=16).digest(), "little")


def stable_rng(*parts: object) -> np.random.Generator:
    """An independent PCG64 stream per key, so adding a draw elsewhere shifts nothing here."""
    return np.random.Generator(np.random.PCG64(stable_seed(*parts)))


def stable_hex(*parts: object) -> str:
    """A 32-character lowercase hex id, the shape of an Odds API event id."""
    key = ":".join(str(p) for p in parts).encode()
    return hashlib.md5(key, usedforsecurity=False).hexdigest()


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): vectorised, and avoids a SciPy dependency.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def norm_cdf(x: np.ndarray | float) -> np.ndarray:
    """Standard normal CDF, elementwise."""
    return 0.5 * (1.0 + _erf(np.asarray(x, dtype=float) / _SQRT2))


def round_half(x: np.ndarray | float) -> np.ndarray:
    """Nearest half point, the grid US books quote spreads and totals on."""
    return np.round(np.asarray(x, dtype=float) * 2.0) / 2.0


def iso_z(moment: datetime) -> str:
    """``2023-10-25T00:30:00Z``: the Odds API's ISO form, whole seconds, UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(moment: datetime) -> str:
    """``2024-04-04T23:30:00.000Z``: BallDontLie's ISO form with milliseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@lru_cache(maxsize=1 << 16, typed=True)
def epoch_iso_z(seconds: int) -> str:
    """``iso_z`` of epoch seconds (recent ones cached; the date part formatted once a day)."""
    if type(seconds) is not int:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    day, second = divmod(seconds, 86_400)
    hour, second = divmod(second, 3_600)
    minute, second = divmod(second, 60)
    return f"{_day_prefix(day)}{hour:02d}:{minute:02d}:{second:02d}Z"


@lru_cache(maxsize=4096)
def _day_prefix(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")


def parse_instant(text: str) -> datetime:
    """An ISO-8601 instant as aware UTC; a naive value is read as UTC, as the providers do."""
    value = datetime.fromisoformat(text.strip().replace(" ", "+"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
