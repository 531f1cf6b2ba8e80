"""Identity resolution beyond our own generator: typo-heavy person records in the style of
the public record-linkage benchmarks (names, dates of birth, addresses, no email or phone).

The records come from a small corruptor written here (not from any benchmark file): each
duplicate of an original gets one to four modifications: keyboard typos, deletions,
insertions, adjacent swaps, OCR confusions, missing values, swapped first and last names,
digit typos in dates of birth, postcodes and house numbers. The resolver must stay precise
and beat a deterministic-rules baseline by a wide margin. It also must not care whether
numbers arrive as text or as floats, and a chain of links must end in one customer however
long it is (the clustering iterates until stable).
"""

from __future__ import annotations

import random
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
STREET_TYPES = ["street", "road", "place", "avenue", "crescent", "close", "drive"]
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
OCR = [("m", "rn"), ("rn", "m"), ("l", "1"), ("o", "0"), ("cl", "d"), ("h", "b")]
FIELDS = ["first_name", "last_name", "house_number", "street", "city", "postal_code",
          "date_of_birth"]


def _word(rnd: random.Random, syllables: int) -> str:
    return "".join(rnd.choice(SYLLABLES) for _ in range(syllables))


def _vocab(rnd: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add(_word(rnd, rnd.randint(2, 4)))
    return sorted(words)


def _zipf(rnd: random.Random, values: list[str], exponent: float) -> str:
    weights = [1.0 / (rank ** exponent) for rank in range(1, len(values) + 1)]
    return rnd.choices(values, weights=weights)[0]


def _typo(rnd: random.Random, text: str) -> str:
    if len(text) < 2:
        return text
    pos = rnd.randrange(len(text) - 1)
    kind = rnd.random()
    if kind < 0.3:  # a neighbouring key
        row = next((r for r in KEYBOARD if text[pos] in r), None)
        if row:
            i = row.index(text[pos])
            return text[:pos] + row[max(0, i - 1) if i else 1] + text[pos + 1:]
    if kind < 0.5:
        return text[:pos] + text[pos + 1:]
    if kind < 0.7:
        return text[:pos] + rnd.choice(string.ascii_lowercase) + text[pos:]
    if kind < 0.85:
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
    for old, new in OCR:
        if old in text:
            return text.replace(old, new, 1)
    return text[:pos] + rnd.choice(string.ascii_lowercase) + text[pos + 1:]


def _digit_typo(rnd: random.Random, text: str) -> str:
    pos = rnd.randrange(len(text))
    if rnd.random() < 0.6 or pos == len(text) - 1:
        return text[:pos] + str(rnd.randint(0, 9)) + text[pos + 1:]
    return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]


def make_records(originals: int, duplicates: int, seed: int) -> pd.DataFrame:
    """Originals and corrupted duplicates with their true person in column `person`."""
    rnd = random.Random(seed)
    given, family = _vocab(rnd, 800), _vocab(rnd, 2000)
    streets, towns = _vocab(rnd, 1200), _vocab(rnd, 400)
    postcode = {town: f"{rnd.randint(800, 7999):04d}" for town in towns}
    people = []
    for person in range(originals):
        town = _zipf(rnd, towns, 0.8)
        people.append({
            "person": person,
            "first_name": _zipf(rnd, given, 0.7),
            "last_name": _zipf(rnd, family, 0.6),
            "house_number": str(rnd.randint(1, 300)),
            "street": f"{rnd.choice(streets)} {rnd.choice(STREET_TYPES)}",
            "city": town,
            "postal_code": postcode[town],
            "date_of_birth": None if rnd.random() < 0.1 else
            f"{rnd.randint(1930, 2005)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}",
        })
    rows = [dict(p, record_id=f"rec-{p['person']}-org") for p in people]
    for n in range(duplicates):
        row = dict(rnd.choice(people))
        row["record_id"] = f"rec-{row['person']}-dup-{n}"
        for _ in range(rnd.randint(1, 4)):
            field = rnd.choice(FIELDS + ["swap"])
            if field == "swap":
                row["first_name"], row["last_name"] = row["last_name"], row["first_name"]
            elif row[field] is None:
                continue
            elif rnd.random() < 0.15:
                row[field] = None
            elif field in ("house_number", "postal_code", "date_of_birth"):
                row[field] = _digit_typo(rnd, row[field])
            else:
                row[field] = _typo(rnd, row[field])
        rows.append(row)
    frame = pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return frame[["record_id", "person", *FIELDS]]


def pairwise(assigned: pd.Series, truth: pd.Series) -> tuple[float, float, float]:
    frame = pd.DataFrame({"c": assigned.to_numpy(), "t": truth.to_numpy()})

    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    both = pairs(frame.groupby(["c", "t"]).size())
    precision = both / max(pairs(frame.groupby("c").size()), 1)
    recall = both / max(pairs(frame.groupby("t").size()), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def deterministic_baseline(frame: pd.DataFrame) -> pd.Series:
    """Clusters from exact rules only: same first and last name, and the same date of
    birth or the same house number, street and postcode."""
    parent = list(range(len(frame)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    norm = frame[FIELDS].fillna("").apply(lambda col: col.str.lower().str.strip())
    for keys in (["first_name", "last_name", "date_of_birth"],
                 ["first_name", "last_name", "house_number", "street", "postal_code"]):
        complete = norm[(norm[keys] != "").all(axis=1)]
        for _, group in complete.groupby(keys).groups.items():
            first = group[0]
            for other in group[1:]:
                parent[find(other)] = find(first)
    return pd.Series([find(i) for i in range(len(frame))])


def _resolve(src: Path, dst: Path) -> pd.DataFrame:
    result = subprocess.run(
        [sys.executable, "-m", "order_truth", "resolve-identities", "--input", str(src),
         "--output", str(dst)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return pd.read_csv(dst, dtype=str)


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return make_records(originals=1500, duplicates=1500, seed=20261123)


def test_typo_heavy_records_resolve_precisely_and_beat_the_rules(
        records: pd.DataFrame, tmp_path: Path) -> None:
    src = tmp_path / "people.csv"
    records.drop(columns="person").to_csv(src, index=False)
    got = _resolve(src, tmp_path / "resolved.csv")
    assert got["record_id"].tolist() == records["record_id"].tolist()
    precision, recall, f1 = pairwise(got["customer_id"], records["person"])
    _, _, baseline_f1 = pairwise(deterministic_baseline(records), records["person"])
    assert precision >= 0.98, (precision, recall)
    assert recall >= 0.85, (precision, recall)
    assert f1 >= baseline_f1 + 0.2, (f1, baseline_f1)


def test_numbers_stored_as_floats_resolve_like_text(records: pd.DataFrame,
                                                   tmp_path: Path) -> None:
    subset = records.head(600)
    as_text = tmp_path / "text.csv"
    subset.drop(columns="person").to_csv(as_text, index=False)
    as_floats = subset.drop(columns="person").copy()
    for column in ("house_number", "postal_code", "date_of_birth"):
        as_floats[column] = pd.to_numeric(as_floats[column], errors="coerce")
    floats_file = tmp_path / "floats.parquet"
    as_floats.to_parquet(floats_file, index=False)
    text_ids = _resolve(as_text, tmp_path / "a.csv").set_index("record_id")["customer_id"]
    float_ids = _resolve(floats_file, tmp_path / "b.csv").set_index("record_id")["customer_id"]
    assert text_ids.equals(float_ids.loc[text_ids.index])


def test_full_names_in_one_column_resolve(records: pd.DataFrame, tmp_path: Path) -> None:
    subset = records.head(600).copy()
    comma = subset.index % 2 == 0
    subset["full_name"] = (subset["first_name"].fillna("") + " "
                           + subset["last_name"].fillna("")).str.strip()
    subset.loc[comma, "full_name"] = (subset["last_name"].fillna("") + ", "
                                      + subset["first_name"].fillna(""))[comma]
    src = tmp_path / "full_names.csv"
    subset.drop(columns=["person", "first_name", "last_name"]).to_csv(src, index=False)
    got = _resolve(src, tmp_path / "resolved.csv")
    precision, recall, _ = pairwise(got["customer_id"], subset["person"])
    assert precision >= 0.98 and recall >= 0.8, (precision, recall)


def test_a_long_chain_of_links_is_one_customer(tmp_path: Path) -> None:
    # record i shares its email with i - 1 and its phone with i + 1: one person, seen
    # through 800 records in shuffled order, whose links form a single long path
    n = 800
    rows = [{"record_id": f"r{i:04d}", "first_name": "Ann", "last_name": "Lee",
             "email": f"ann{i // 2}@example.net",
             "phone": f"+1 415 555 {(i + 1) // 2:04d}", "country": "US"} for i in range(n)]
    random.Random(3).shuffle(rows)
    src = tmp_path / "chain.csv"
    pd.DataFrame(rows).to_csv(src, index=False)
    got = _resolve(src, tmp_path / "resolved.csv")
    assert Counter(got["customer_id"]).most_common(1)[0][1] == n
