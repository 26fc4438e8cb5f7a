"""The loader: YAML hazards stop here, every value keeps its position."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from plangen.load import MAX_BYTES, load_bytes, load_file


def test_yaml_11_lookalikes_stay_text() -> None:
    doc, findings = load_bytes(b"id: no\nversion: 1.10\nat: 12:30\nport: 010\nflag: on\nq: 'null'\n", "f.yaml")
    assert findings == []
    assert doc is not None
    assert doc.data == {"id": "no", "version": "1.10", "at": "12:30", "port": "010", "flag": "on", "q": "null"}


def test_plain_nulls_become_none_but_quoted_stay_text() -> None:
    doc, _ = load_bytes(b"a: ~\nb: null\nc:\nd: ''\ne: '~'\n", "f.yaml")
    assert doc is not None
    assert doc.data == {"a": None, "b": None, "c": None, "d": "", "e": "~"}


def test_positions_of_values_and_keys() -> None:
    text = b"rollout:\n  phases:\n    - id: a\n      traffic: 10\n    - {id: b, traffic: 20}\n"
    doc, _ = load_bytes(text, "f.yaml")
    assert doc is not None
    assert doc.position(("rollout", "phases", 0, "traffic")) == (4, 16)
    assert doc.position(("rollout", "phases", 0, "traffic"), key=True) == (4, 7)
    assert doc.position(("rollout", "phases", 1, "traffic")) == (5, 24)
    assert doc.position(("rollout", "phases", 1)) == (5, 7)
    # an unknown path falls back to its nearest ancestor
    assert doc.position(("rollout", "phases", 1, "missing", 3)) == (5, 7)


def test_size_cap_is_checked_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: " + b"x" * (MAX_BYTES + 10))
    doc, findings = load_file(big, "big.yaml")
    assert doc is None
    assert [(f.line, f.col) for f in findings] == [(1, 1)]
    assert f"the file is {MAX_BYTES + 13} bytes" in findings[0].message


def test_very_deep_nesting_is_refused_quickly_without_crashing() -> None:
    # The recursive composer of libyaml segfaults near 50k levels; the event
    # scan must stop long before.
    for opener in (b"[", b"{a: "):
        data = b"a: " + opener * 200_000
        start = time.perf_counter()
        doc, findings = load_bytes(data[:MAX_BYTES], "deep.yaml")
        assert doc is None
        assert "nesting deeper than 64 levels" in findings[0].message
        assert time.perf_counter() - start < 5


def test_alias_bomb_is_refused_without_expanding() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    doc, findings = load_bytes("\n".join(lines).encode(), "bomb.yaml")
    assert doc is None
    assert findings and all("not allowed" in f.message for f in findings)
    assert len(findings) <= 50  # capped, not one line per alias


def test_crlf_and_bom_are_fine() -> None:
    doc, findings = load_bytes(b"\xef\xbb\xbfa: 1\r\nb: two\r\n", "f.yaml")
    assert findings == []
    assert doc is not None and doc.data == {"a": "1", "b": "two"}
    assert doc.position(("b",)) == (2, 4)


def test_unicode_text_is_kept_intact() -> None:
    text = "title: 請求書リスク — مراجعة 🚀\n"
    doc, findings = load_bytes(text.encode(), "f.yaml")
    assert findings == []
    assert doc is not None and doc.data["title"] == "請求書リスク — مراجعة 🚀"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_data_or_positioned_findings(data: bytes) -> None:
    doc, findings = load_bytes(data, "fuzz.yaml")
    assert (doc is None) == bool(findings)
    for f in findings:
        assert f.line >= 1 and f.col >= 1 and f.message


yaml_ish = st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}&*!|>'\"#%@`,?~<=\u202e\x07é1")), max_size=200)


@settings(max_examples=500, deadline=None)
@given(yaml_ish)
def test_any_yaml_like_text_gives_data_or_positioned_findings(text: str) -> None:
    doc, findings = load_bytes(text.encode(), "fuzz.yaml")
    assert (doc is None) == bool(findings)
    if doc is not None:
        assert isinstance(doc.data, dict)
    lines = text.split("\n")
    for f in findings:
        assert 1 <= f.line <= len(lines) + 1
        assert f.col >= 1
