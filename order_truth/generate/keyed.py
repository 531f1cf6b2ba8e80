"""Random numbers keyed by entity, not by position.

A sequential generator hands row i a different number as soon as a row is added before it.
Keyed draws hash (seed, salt, call, key) instead, so an order, parcel or change keeps its
random fate when more days of data are generated: that is what makes `--append-days` add
rows without rewriting the past.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * _M1
        x = x ^ (x >> np.uint64(27))
        x = x * _M2
        return x ^ (x >> np.uint64(31))


class Keyed:
    """A numpy-Generator-like source whose i-th value depends only on keys[i]."""

    def __init__(self, keys: np.ndarray, seed: int, salt: int) -> None:
        self.keys = np.asarray(keys).astype(np.uint64)
        with np.errstate(over="ignore"):
            self.base = _mix(np.uint64(seed) * _GOLD + np.uint64(salt) * _M1 + _GOLD)
        self.calls = 0

    def __len__(self) -> int:
        return self.keys.size

    def _uniform(self) -> np.ndarray:
        self.calls += 1
        with np.errstate(over="ignore"):
            x = _mix(self.keys * _GOLD + self.base + np.uint64(self.calls) * _M2)
        return (x >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))

    def _check(self, size: int | tuple | None) -> int:
        k = size if isinstance(size, int) else (size[0] if size else self.keys.size)
        if k != self.keys.size:
            raise ValueError(f"keyed draw of {k} values over {self.keys.size} keys")
        return 1 if isinstance(size, int) or not size or len(size) == 1 else int(size[1])

    def random(self, size: int | tuple | None = None) -> np.ndarray:
        cols = self._check(size if size is not None else self.keys.size)
        if isinstance(size, tuple) and len(size) == 2:
            return np.stack([self._uniform() for _ in range(cols)], axis=1)
        return self._uniform()

    def integers(self, low: int, high: int | None = None, size: int | tuple | None = None
                 ) -> np.ndarray:
        if high is None:
            low, high = 0, low
        u = self.random(size if size is not None else self.keys.size)
        return (low + np.floor(u * (high - low))).astype(np.int64)

    def normal(self, loc: float = 0.0, scale: float = 1.0, size: int | None = None
               ) -> np.ndarray:
        self._check(size if size is not None else self.keys.size)
        u1 = np.maximum(self._uniform(), 1e-12)
        u2 = self._uniform()
        return loc + scale * np.sqrt(-2 * np.log(u1)) * np.cos(2 * np.pi * u2)

    def lognormal(self, mean: float = 0.0, sigma: float = 1.0, size: int | None = None
                  ) -> np.ndarray:
        return np.exp(self.normal(mean, sigma, size))

    def gamma(self, shape: float, scale: float = 1.0, size: int | None = None) -> np.ndarray:
        # Wilson–Hilferty: accurate enough for simulated delays, and vectorised.
        z = self.normal(0, 1, size)
        c = 1.0 / (9.0 * shape)
        return np.maximum(shape * scale * (1 - c + z * np.sqrt(c)) ** 3, 0.0)

    def choice(self, a: int | Sequence, size: int | None = None,
               p: Sequence[float] | None = None) -> np.ndarray:
        n = a if isinstance(a, int) else len(a)
        u = self.random(size if size is not None else self.keys.size)
        if p is None:
            idx = np.minimum((u * n).astype(np.int64), n - 1)
        else:
            cw = np.cumsum(p) / np.sum(p)
            idx = np.minimum(np.searchsorted(cw, u, side="right"), n - 1)
        return idx if isinstance(a, int) else np.asarray(a)[idx]
