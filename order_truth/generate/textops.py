"""Vectorised string helpers on Arrow arrays: the generator builds millions of strings, so
it joins and slices columns in Arrow's C++ kernels instead of formatting row by row."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

Col = pa.Array | pa.ChunkedArray | str


def arr(values: Sequence[str] | np.ndarray) -> pa.Array:
    return pa.array(list(values) if not isinstance(values, np.ndarray) else values, pa.string())


def pick(vocab: Sequence[str], idx: np.ndarray) -> pa.Array:
    """vocab[idx] as an Arrow string array (idx may contain -1 for null)."""
    voc = pa.array(list(vocab), pa.string())
    idx = np.asarray(idx)
    mask = idx < 0
    taken = voc.take(pa.array(np.where(mask, 0, idx), pa.int64()))
    if mask.any():
        taken = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), taken)
    return taken


def cat(*parts: Col) -> pa.Array:
    """Concatenate string columns and literals element-wise (null if any part is null)."""
    cols = [p if not isinstance(p, str) else pa.scalar(p, pa.string()) for p in parts]
    return pc.binary_join_element_wise(*cols, "")


def num(values: np.ndarray, width: int = 0) -> pa.Array:
    """Integers as strings, zero-padded to width."""
    s = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    if width:
        s = pc.utf8_lpad(s, width=width, padding="0")
    return s


def lower(c: pa.Array) -> pa.Array:
    return pc.utf8_lower(c)


def upper(c: pa.Array) -> pa.Array:
    return pc.utf8_upper(c)


def where(mask: np.ndarray, a: Col, b: Col) -> pa.Array:
    a = a if not isinstance(a, str) else pa.scalar(a, pa.string())
    b = b if not isinstance(b, str) else pa.scalar(b, pa.string())
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), a, b)


def null_where(mask: np.ndarray, c: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), pa.scalar(None, c.type), c)


def sl(c: pa.Array, start: int, stop: int | None = None) -> pa.Array:
    return pc.utf8_slice_codeunits(c, start=start, stop=stop)


def map_values(c: pa.Array, fn) -> pa.Array:  # noqa: ANN001
    """Apply a Python function once per distinct value (names repeat a lot)."""
    enc = pc.dictionary_encode(c).combine_chunks() if isinstance(c, pa.ChunkedArray) else (
        pc.dictionary_encode(c))
    values = pa.array([None if v is None else fn(v) for v in enc.dictionary.to_pylist()],
                      pa.string())
    return values.take(enc.indices)


def apply_subset(c: pa.Array, mask: np.ndarray, fn) -> pa.Array:  # noqa: ANN001
    """Apply a Python function to the (few) rows under mask; the rest stay as they are."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return c
    values = c.to_numpy(zero_copy_only=False).astype(object)
    for i in idx:
        if values[i] is not None:
            values[i] = fn(values[i], int(i))
    return pa.array(values, pa.string())


def fmt_ts(micros: np.ndarray, fmt: str = "%Y-%m-%dT%H:%M:%S") -> pa.Array:
    """Format timestamps by casting to ISO text and slicing: much faster than strftime."""
    secs = np.asarray(micros, dtype=np.int64) // 1_000_000
    iso = pc.cast(pa.array(secs.astype("datetime64[s]"), pa.timestamp("s")), pa.string())
    y, m, d = sl(iso, 0, 4), sl(iso, 5, 7), sl(iso, 8, 10)
    if fmt == "%Y-%m-%dT%H:%M:%S":
        return pc.replace_substring(iso, " ", "T", max_replacements=1)
    if fmt == "%Y-%m-%d":
        return sl(iso, 0, 10)
    if fmt == "%Y%m%d":
        return cat(y, m, d)
    if fmt == "%m/%d/%Y":
        return cat(m, "/", d, "/", y)
    if fmt == "%d.%m.%Y":
        return cat(d, ".", m, ".", y)
    raise ValueError(f"unsupported format {fmt}")
