"""Smoke tests of the benchmarks (bench/): the generator at scale S and the runner.

The generator must be deterministic, its HCL and JSON must parse with the
reference parsers and say the same thing, the GPUs must add up to the scale,
and the fleet must be plannable. The runner must produce one results row per
style, whatever capplan's stages can do yet ("n/a" is fine for them).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

from bench import sanity
from bench.generate import SCALES, STYLES, generate, write_generated

REPO = Path(__file__).resolve().parents[1]
SCALE = "S"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [env.get("PYTHONPATH")])])
    env.update(extra)
    return env


def _normalise_hcl(node: Any) -> Any:
    """python-hcl2's output in the generator's JSON shape: unquote, merge blocks."""

    def unquote(text: str) -> str:
        if len(text) >= 2 and text[0] == text[-1] == '"':
            return str(json.loads(text))
        return text

    def is_blocks(value: Any) -> bool:
        return (
            isinstance(value, list)
            and bool(value)
            and all(isinstance(item, dict) for item in value)
            and all(
                item.get("__is_block__") is True
                or all(isinstance(b, dict) and b.get("__is_block__") for b in item.values())
                for item in value
            )
        )

    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key.startswith("__"):
                continue
            if is_blocks(value):
                merged: dict[str, Any] = {}
                for item in value:
                    if item.get("__is_block__"):  # an unlabelled block (locals)
                        merged.update(_normalise_hcl(item))
                    else:
                        for name, body in item.items():
                            merged[unquote(name)] = _normalise_hcl(body)
                out[unquote(key)] = merged
            else:
                out[unquote(key)] = _normalise_hcl(value)
        return out
    if isinstance(node, list):
        return [_normalise_hcl(item) for item in node]
    if isinstance(node, str):
        return unquote(node)
    return node


def _cap_gpus(text: str) -> int:
    """GPUs in a generated .cap file, by arithmetic on its rack types and lots."""
    per_rack: dict[str, int] = {}
    for name, body in re.findall(r"^rack_type (\w+) \{\n(.*?)^\}", text, re.M | re.S):
        match = re.search(r"^\s*gpus = ([\d_]+)$", body, re.M)
        assert match is not None, name
        per_rack[name] = int(match.group(1).replace("_", ""))
    lots: list[str] = []
    lines = iter(text.splitlines())
    for line in lines:
        if not line.startswith("lot "):
            continue
        body = [line]
        while not body[-1].endswith("}") or body[-1].startswith("  "):
            body.append(next(lines))
        lots.append("\n".join(body))
    assert lots
    total = 0
    for body in lots:
        rack_type = re.search(r"\brack_type = (\w+)", body)
        racks = re.search(r"\bracks = ([\d_]+)", body)
        gpus = re.search(r"\bgpus = ([\d_]+)", body)
        assert rack_type is not None
        assert (racks is None) != (gpus is None), body
        if racks is not None:
            total += int(racks.group(1).replace("_", "")) * per_rack[rack_type.group(1)]
        else:
            assert gpus is not None
            count = int(gpus.group(1).replace("_", ""))
            assert count % per_rack[rack_type.group(1)] == 0
            total += count
    return total


def _json_gpus(data: dict[str, Any]) -> int:
    per_rack = {name: int(body["gpus"]) for name, body in data["rack_type"].items()}
    total = 0
    for lot in data["lot"].values():
        total += (
            int(lot["gpus"]) if "gpus" in lot else int(lot["racks"]) * per_rack[lot["rack_type"]]
        )
    return total


@pytest.mark.parametrize("style", STYLES)
def test_generator_is_deterministic_across_processes(style: str, tmp_path: Path) -> None:
    generated = generate(SCALE, style)
    expected = {"cap": generated.cap(), "hcl": generated.hcl(), "json": generated.json()}
    again = generate(SCALE, style)
    assert again.cap() == expected["cap"]
    assert again.json() == expected["json"]
    # Two CLI runs under different hash seeds write the same bytes as the API.
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        command = [sys.executable, "-m", "bench.generate", "--scale", SCALE, "--style", style]
        subprocess.run(
            [*command, "-o", str(out)],
            cwd=REPO,
            env=_env(PYTHONHASHSEED=hash_seed),
            check=True,
            capture_output=True,
            timeout=60,
        )
        for fmt, text in expected.items():
            written = (out / f"{SCALE}-{style}.{fmt}").read_bytes()
            assert written == text.encode("utf-8"), fmt


@pytest.mark.parametrize("style", STYLES)
def test_hcl_and_json_parse_and_carry_the_same_content(style: str) -> None:
    generated = generate(SCALE, style)
    data = json.loads(generated.json())
    from_hcl = _normalise_hcl(hcl2.loads(generated.hcl()))
    assert from_hcl == data
    kinds = {"plan", "supplier", "rack_type", "site", "pop", "lot", "link", "flow", "commitment"}
    assert kinds <= set(data)
    assert any(flow.get("protect") is True for flow in data["flow"].values())
    assert any(str(flow["rate"]).endswith("/gpu") for flow in data["flow"].values())
    assert any(" x " in str(link["capacity"]) for link in data["link"].values())


@pytest.mark.parametrize("style", STYLES)
def test_gpu_counts_are_as_requested(style: str) -> None:
    generated = generate(SCALE, style)
    assert generated.stats.gpus == SCALES[SCALE] == 1_000
    assert _cap_gpus(generated.cap()) == 1_000
    assert _json_gpus(json.loads(generated.json())) == 1_000
    if style == "inventory":
        assert generated.stats.lots == generated.stats.racks
        assert generated.cap().count("racks = 1 ") == generated.stats.racks
    else:
        assert "arrive { " in generated.cap()
        assert generated.stats.lots < generated.stats.racks


@pytest.mark.parametrize("style", STYLES)
def test_fleet_is_plannable(style: str) -> None:
    assert sanity.check(json.loads(generate(SCALE, style).json())) == []


def test_sanity_check_notices_a_broken_fleet() -> None:
    data = json.loads(generate(SCALE, "idiomatic").json())
    data["supplier"]["nvidia"]["allocation"] = "1 racks/mo"
    next(iter(data["site"].values()))["power"] = "1 kW"
    codes = {problem.split()[0] for problem in sanity.check(data)}
    assert {"E402", "W302"} <= codes


def test_write_generated_names_files_by_scale_and_style(tmp_path: Path) -> None:
    paths = write_generated(generate(SCALE, "inventory"), tmp_path)
    assert sorted(p.name for p in paths.values()) == [
        "S-inventory.cap",
        "S-inventory.hcl",
        "S-inventory.json",
    ]


def test_runner_produces_a_row_per_style(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    command = [
        sys.executable,
        "-m",
        "bench",
        "--scales",
        SCALE,
        "--styles",
        ",".join(STYLES),
        "--repeat",
        "1",
        "--validate-runs",
        "1",
        "--ref-timeout",
        "30",
        "--timeout",
        "60",
        "--json",
        str(out),
        "--markdown",
    ]
    done = subprocess.run(
        command, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=150, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["machine"]["python"] and report["machine"]["cpu"]
    rows = report["rows"]
    assert [(r["scale"], r["style"]) for r in rows] == [(SCALE, s) for s in STYLES]
    for row in rows:
        assert row["gpus"] == 1_000
        stages = row["capplan"]["stages"]
        assert set(stages) == {"parse", "model", "schedule", "cost", "bandwidth", "render"}
        for stage, entry in stages.items():
            assert entry["status"] in ("ok", "n/a"), (stage, entry)
        for ref in ("lark", "hcl2", "json"):
            result = row["references"][ref]
            assert result["status"] == "ok", (ref, result)
            assert result["seconds"] > 0 and result["mb_s"] > 0
            assert result["peak_kb"] > 0
    assert report["validate"]["status"] in ("ok", "n/a"), report["validate"]
    assert {t["status"] for t in report["targets"]} <= {"pass", "FAIL", "n/a"}
    assert "| scale | style |" in done.stdout
    assert "Machine:" in done.stdout
