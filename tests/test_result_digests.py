"""The result guard (issue 19): capplan's outputs for fixed inputs are the recorded bytes.

`bench/digests.py` hashes the validate JSON, the plan JSON and every rendered file of
the example and of the generator's S and M fleets (both styles, fixed seed), and
`bench/digests.json` holds the digests of the outputs as they were recorded. A speed-up
that changes a byte fails here. After an intended output change, re-record with
`python -m bench.digests --record` (docs/performance.md, "The result guard").
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench import digests


def test_the_example_and_the_s_and_m_fleets_are_the_recorded_bytes() -> None:
    computed = digests.compute(("S", "M"))
    assert sorted(computed) == [
        "M-idiomatic",
        "M-inventory",
        "S-idiomatic",
        "S-inventory",
        "example",
    ]
    # the example renders on its as_of (the CLI's default) and its end; fleets on their end
    assert "render@2026-01-15" in computed["example"]
    assert "render@2027-06-30" in computed["example"]
    assert "render@2028-12-31" in computed["M-inventory"]
    assert digests.differences(digests.load_record(), computed) == []


def test_a_tree_digest_is_path_nul_bytes_nul_in_path_order(tmp_path: Path) -> None:
    (tmp_path / "slurm").mkdir()
    (tmp_path / "slurm" / "b.conf").write_bytes(b"B")
    (tmp_path / "a.json").write_bytes(b"A")
    found = digests.tree_digests(tmp_path)
    # sorted by path: "a.json" before "slurm/b.conf"
    whole = hashlib.sha256(b"a.json\0A\0slurm/b.conf\0B\0").hexdigest()
    assert found == {
        "/a.json": hashlib.sha256(b"a.json\0A\0").hexdigest(),
        "/slurm": hashlib.sha256(b"slurm/b.conf\0B\0").hexdigest(),
        "": whole,
        "#files": "2",
    }


def test_a_changed_digest_or_a_case_not_recorded_is_reported() -> None:
    recorded = {"S-idiomatic": {"plan": "aa", "render@2028-12-31": "bb"}}
    computed = {
        "S-idiomatic": {"plan": "aa", "render@2028-12-31": "cc"},
        "L-idiomatic": {"plan": "dd"},
    }
    assert digests.differences(recorded, computed) == [
        "S-idiomatic render@2028-12-31: bb -> cc",
        "L-idiomatic: not recorded (run python -m bench.digests --record)",
    ]
