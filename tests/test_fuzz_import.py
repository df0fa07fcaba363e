"""Property: whatever a real table is mutated into, ``build.py import`` answers with a clear refusal
(exit 1, an "ashyq:" message, no traceback, nothing left behind) or a package that validates.

Mutations of a slice of the 2018 Russian table (../shared/realdata/ru-uik-shpilkin/2018.csv) with the
example mapping: bytes flipped, inserted or cut, the file truncated, re-encoded, other delimiters,
quoting, line ends, and figures at the limits of the integer types. Bounded and derandomized so the
suite stays fast and repeatable; for a longer run by hand:

    ASHYQ_FUZZ_EXAMPLES=2000 PYTHONPATH=$PWD .venv/bin/python -m pytest -q tests/test_fuzz_import.py
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ashyq import cli
from hostile.imports import NAME, SHPILKIN_2018, base_lines, base_mapping, write_mapping

pytestmark = pytest.mark.skipif(not SHPILKIN_2018.is_file(), reason=f"{SHPILKIN_2018} not here (shared data)")
EXAMPLES = int(os.environ.get("ASHYQ_FUZZ_EXAMPLES", "100"))

LIMIT_NUMBERS = ["0", "00", "-0", "-1", "2147483647", "2147483648", "4294967296", "9007199254740993",
                 "999999999999", "1000000000000", "1000000000001", "9223372036854775807", "9223372036854775808",
                 "18446744073709551616", "1e3", "1.5", "1 234", "1\u00a0234", "1,234", "١٢٣", "１２３", "NaN",
                 "inf", "", " ", "=1+1", "0x10"]


@st.composite
def mutated_tables(draw) -> tuple[bytes, dict]:
    lines = base_lines()[:draw(st.integers(2, 16))]
    mapping = base_mapping()
    # numbers at the type limits, in figure columns (3..22)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        row = draw(st.integers(1, len(lines) - 1))
        cells = lines[row].split(b",")
        cells[draw(st.integers(3, 22))] = draw(st.sampled_from(LIMIT_NUMBERS)).encode("utf-8")
        lines[row] = b",".join(cells)
    # quoting: quote some cells, or drop a stray quote into one
    if draw(st.sampled_from([False, False, True])):
        row = draw(st.integers(0, len(lines) - 1))
        cells = lines[row].split(b",")
        at = draw(st.integers(0, len(cells) - 1))
        cells[at] = draw(st.sampled_from([b'"' + cells[at] + b'"', b'"' + cells[at], cells[at] + b'"',
                                          cells[at][:1] + b'"' + cells[at][1:], b'""' + cells[at] + b'""']))
        lines[row] = b",".join(cells)
    delimiter = draw(st.sampled_from([b",", b",", b";", b"\t"]))
    if delimiter != b",":
        lines = [line.replace(b",", delimiter) for line in lines]
        stated = "tab" if delimiter == b"\t" else delimiter.decode()
        mapping["input"]["delimiter"] = draw(st.sampled_from([stated, stated, stated, ","]))
    end = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    data = end.join(lines) + draw(st.sampled_from([end, b""]))
    encoding = draw(st.sampled_from(["utf-8"] * 5 + ["utf-8-sig", "cp1251", "cp1251", "utf-16", "koi8-r"]))
    if encoding != "utf-8":
        data = data.decode("utf-8", errors="replace").encode(encoding, errors="replace")
    mapping["input"]["encoding"] = draw(st.sampled_from(["utf-8", "cp1251"] + [None] * 6))
    if mapping["input"]["encoding"] is None:
        del mapping["input"]["encoding"]
    # raw bytes: flip, insert, delete; or truncate the file
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        byte = bytes([draw(st.integers(0, 255))])
        action = draw(st.sampled_from(["flip", "insert", "delete"]))
        data = data[:at] + (byte if action != "delete" else b"") + data[at + (action != "insert"):]
    if draw(st.sampled_from([False, False, False, True])):
        data = data[:draw(st.integers(0, len(data)))]
    return data, mapping


@settings(derandomize=True, max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_tables())
def test_a_mutated_table_is_refused_clearly_or_imports_a_valid_package(case):
    data, mapping = case
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        table = folder / "table.csv"
        table.write_bytes(data)
        out = folder / "datasets" / NAME
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cli.main(["--quiet", "import", str(table), "--mapping", str(write_mapping(folder, mapping)),
                             "--out", str(out)])
        message = err.getvalue()
        assert "Traceback" not in message
        assert not list((folder / "datasets").glob(".*")) if (folder / "datasets").exists() else True
        event("imported" if code == 0 else "refused: " + re.search(r"× (\S+)|$", message).group(1) or "")
        if code == 1:
            assert message.startswith("ashyq: ") and ("table.csv" in message or "mapping.yml" in message), message
            assert not out.exists()
            return
        assert code == 0, message
        with contextlib.redirect_stderr(err):
            assert cli.main(["--quiet", "--datasets", str(out.parent), "validate"]) == 0, err.getvalue()
        rows = sum(1 for line in data.splitlines() if line.strip()) - 1
        protocols = (out / "protocols.csv").read_bytes().count(b"\n") - 1
        assert 0 < protocols <= rows  # every station imported is a row of the table; none invented
