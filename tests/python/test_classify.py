"""classify-carrier-events runs the warehouse's own mapping models over a file of codes.

The fixture holds real codes from the carriers' and aggregators' public vocabularies, each
with the state and reason we expect; the command must round-trip them through dbt.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
REAL_CODES = ROOT / "tests" / "fixtures" / "carrier_codes_real.csv"
ADDED = ["canonical_status", "exception_reason", "is_terminal", "mapping_rule"]


def _classify(src: Path, dst: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "order_truth", "classify-carrier-events", "--input", str(src),
         "--output", str(dst)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def real_codes(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    out = tmp_path_factory.mktemp("classify") / "out.csv"
    result = _classify(REAL_CODES, out)
    assert result.returncode == 0, result.stderr
    given = pd.read_csv(REAL_CODES, dtype=str, keep_default_na=False)
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    return given, got


def test_real_codes_keep_rows_order_and_columns(real_codes) -> None:
    given, got = real_codes
    assert list(got.columns) == list(given.columns) + ADDED
    assert got["raw_code"].tolist() == given["raw_code"].tolist()
    assert got["note"].tolist() == given["note"].tolist()
    # leading zeros survive the trip, in both directions
    assert {"03", "01", "09"} <= set(got.loc[got["carrier"] == "usps", "raw_code"])
    assert "003" in got.loc[got["carrier"] == "ups", "raw_code"].tolist()


def test_real_codes_map_to_their_documented_states(real_codes) -> None:
    _, got = real_codes
    wrong = got[(got["canonical_status"] != got["expected_status"])
                | (got["exception_reason"] != got["expected_reason"])]
    assert wrong.empty, wrong[["carrier", "code_field", "raw_code", "raw_qualifier",
                               "expected_status", "canonical_status", "expected_reason",
                               "exception_reason"]].to_string()


def test_mapping_rules_say_how_each_answer_was_reached(real_codes) -> None:
    _, got = real_codes
    by_key = got.set_index(["carrier", "raw_code", "raw_qualifier"])
    # the qualifier decides FedEx DE; without one the code's own row answers
    assert by_key.loc[("fedex", "DE", "08"), "mapping_rule"] == "code_and_qualifier"
    assert by_key.loc[("fedex", "DE", "03"), "mapping_rule"] == "code_and_qualifier"
    assert by_key.loc[("fedex", "DE", ""), "mapping_rule"] == "code"
    # an unknown code of a known carrier falls back to its description
    assert by_key.loc[("usps", "ZZ", ""), "mapping_rule"] == "description_pattern"
    # unmapped rows say so with empty answers, never a default state
    unmapped = got[got["expected_status"] == ""]
    assert (unmapped[ADDED[:2] + ["mapping_rule"]] == "").all().all()
    # terminal flags: deliveries are terminal, network scans are not
    assert set(got.loc[got["canonical_status"] == "delivered", "is_terminal"]) == {"true"}
    assert set(got.loc[got["canonical_status"] == "in_transit", "is_terminal"]) == {"false"}


def test_unknown_carriers_are_unmapped_not_a_crash(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("carrier,raw_code,raw_description,shipment_ref\n"
                   "acme,DLV,Delivered,A1\n"
                   "FedEx,DL,Delivered,A2\n"
                   "fedex,ZZ,Status 42,A3\n")
    out = tmp_path / "out.csv"
    result = _classify(src, out)
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got["shipment_ref"].tolist() == ["A1", "A2", "A3"]
    assert got["carrier"].tolist() == ["acme", "FedEx", "fedex"]  # passed through as given
    assert got["canonical_status"].tolist() == ["", "delivered", ""]
    assert "2 unmapped" in result.stdout
    assert "unknown carrier(s) 'acme'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_header_only_file_gives_header_only_output(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("carrier,code_field,raw_code,raw_qualifier,raw_description\n")
    out = tmp_path / "out.csv"
    result = _classify(src, out)
    assert result.returncode == 0, result.stderr
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert got.empty
    assert list(got.columns) == ["carrier", "code_field", "raw_code", "raw_qualifier",
                                 "raw_description"] + ADDED


@pytest.mark.parametrize("content, message", [
    ("carrier,raw_code\nfedex,DL\n", "lacks column(s) raw_description"),
    ('carrier,raw_code,raw_description\n"unterminated,DL,x\n', "cannot read"),
    ("carrier,raw_code,raw_description,canonical_status\nfedex,DL,x,y\n",
     "already has output column(s) canonical_status"),
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
    assert len(result.stderr.strip().splitlines()) == 1
