"""classify-carrier-events runs the warehouse's own mapping models over a file of codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_CODES = ROOT / "tests" / "fixtures" / "carrier_codes_real.csv"


def _classify(src: Path, dst: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "order_truth", "classify-carrier-events", "--input", str(src),
         "--output", str(dst)], capture_output=True, text=True, timeout=300)


def test_real_carrier_codes_round_trip_to_their_documented_states(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = _classify(REAL_CODES, out)
    assert result.returncode == 0, result.stderr
    given = pd.read_csv(REAL_CODES, dtype=str, keep_default_na=False)
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    # same rows, same order, every input column kept, the four answers added
    assert list(got.columns) == list(given.columns) + [
        "canonical_status", "exception_reason", "is_terminal", "mapping_rule"]
    assert got["raw_code"].tolist() == given["raw_code"].tolist()
    wrong = got[got["canonical_status"] != got["expected_status"]]
    assert wrong.empty, wrong[["carrier", "raw_code", "raw_qualifier", "expected_status",
                               "canonical_status"]].to_string()
    # leading zeros survive the trip
    assert "03" in got.loc[got["carrier"] == "usps", "raw_code"].tolist()
    # the qualifier decides FedEx DE
    de = got[(got["carrier"] == "fedex") & (got["raw_code"] == "DE")]
    assert set(de["mapping_rule"]) == {"code_and_qualifier"}


def test_unknown_carriers_are_unmapped_not_a_crash(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("carrier,raw_code,raw_description,shipment_ref\n"
                   "acme,DLV,Delivered,A1\n"
                   "fedex,DL,Delivered,A2\n"
                   "fedex,ZZ,Status 42,A3\n")
    out = tmp_path / "out.csv"
    result = _classify(src, out)
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["shipment_ref"].tolist() == ["A1", "A2", "A3"]
    assert got["canonical_status"].tolist() == ["", "delivered", ""]
    assert "2 unmapped" in result.stdout


@pytest.mark.parametrize("content, message", [
    ("carrier,raw_code\nfedex,DL\n", "lacks column(s) raw_description"),
    ('carrier,raw_code,raw_description\n"unterminated,DL,x\n', "cannot read"),
])
def test_bad_input_gets_one_clear_line(tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "in.csv"
    src.write_text(content)
    result = _classify(src, tmp_path / "out.csv")
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = _classify(tmp_path / "nope.csv", tmp_path / "out.csv")
    assert result.returncode != 0
    assert "does not exist" in result.stderr
