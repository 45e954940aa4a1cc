"""Columns handed to DuckDB: strings as categoricals, times as datetime64 as of an export time."""

from __future__ import annotations

import numpy as np
import pandas as pd


class Strings:
    """Strings kept as codes into their unique values ("" counts as empty), handed to DuckDB as categoricals."""

    def __init__(self, values: list[str] | tuple[str, ...] | np.ndarray) -> None:
        values = np.asarray(values, dtype=object)
        self.codes, uniques = pd.factorize(np.where(values == "", None, values))
        self.uniques = np.asarray(uniques, dtype=object)

    def take(self, idx: np.ndarray) -> pd.Categorical:
        """`values[idx]` (idx -1 -> empty); large vocabularies are cut to the values used, so DuckDB's ENUM stays
        small."""
        idx = np.asarray(idx)
        codes = np.where(idx >= 0, self.codes[np.clip(idx, 0, None)], -1)
        uniques = self.uniques
        if len(uniques) > 256:
            present = np.zeros(len(uniques) + 1, dtype=bool)
            present[codes + 1] = True
            used = np.flatnonzero(present[1:])
            remap = np.full(len(uniques) + 1, -1)
            remap[used + 1] = np.arange(len(used))
            codes, uniques = remap[codes + 1], uniques[used]
        return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def categorical(values: list[str] | tuple[str, ...], idx: np.ndarray) -> pd.Categorical:
    return Strings(values).take(idx)


def times_as_of(t: np.ndarray, at: int) -> np.ndarray:
    """Times that have happened by `at` as datetime64[s]; the rest NaT."""
    out = t.astype("datetime64[s]")
    out[t > at] = np.datetime64("NaT")
    return out
