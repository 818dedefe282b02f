"""`.capplan-manifest.json`: which files capplan generated, per target, and from what.

The manifest is how capplan tells its files from the user's: a file it lists is
capplan's to replace or remove; any other file is never touched. Each target's
record carries its provenance (capplan version, input hash, plan, date, template
digest; no timestamps, so an unchanged render is byte-identical).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capplan.render.layout import GENERATED_KEY, GENERATED_NOTICE
from capplan.render.outcome import Problem
from capplan.render.serialise import json_text

MANIFEST_NAME = ".capplan-manifest.json"
MANIFEST_FORMAT = 1


@dataclass(frozen=True)
class TargetRecord:
    """What the manifest says about one target: its provenance and its files."""

    provenance: Mapping[str, Any]
    files: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {**self.provenance, "files": sorted(self.files)}


def manifests(
    old_records: Mapping[str, TargetRecord], records: Mapping[str, TargetRecord]
) -> tuple[bytes, bytes]:
    """The final manifest, and the interim one listing old and new files of each target.

    Records of targets not rendered now are carried over unchanged.
    """
    final = {**old_records, **records}
    interim = {
        name: TargetRecord(
            record.provenance,
            tuple(sorted(set(record.files) | set(old_records.get(name, record).files))),
        )
        for name, record in final.items()
    }
    return _manifest_bytes(final), _manifest_bytes(interim)


def read_manifest(root: Path) -> tuple[dict[str, TargetRecord], list[Problem]]:
    """The per-target records of the manifest in `root` ({} if there is none yet)."""
    path = root / MANIFEST_NAME
    if not os.path.lexists(path):
        return {}, []
    try:
        if path.is_symlink():
            raise ValueError("it is a symlink")
        data = json.loads(path.read_text(encoding="utf-8"))
        return _parse_manifest(data), []
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return {}, [
            Problem(
                "manifest-invalid",
                f"cannot read the manifest ({error}); capplan cannot tell its files from "
                "yours, so it writes nothing. Restore the file from git, or delete it to "
                "start over (then capplan refuses to overwrite files it finds in its way)",
                MANIFEST_NAME,
            )
        ]


def _parse_manifest(data: Any) -> dict[str, TargetRecord]:
    if not isinstance(data, dict) or data.get("format_version") != MANIFEST_FORMAT:
        raise ValueError(f"not a format {MANIFEST_FORMAT} capplan manifest")
    targets = data.get("targets")
    if not isinstance(targets, dict):
        raise ValueError("no 'targets' object")
    records: dict[str, TargetRecord] = {}
    for name, entry in targets.items():
        files = entry.get("files") if isinstance(entry, dict) else None
        if not isinstance(files, list) or not all(isinstance(rel, str) for rel in files):
            raise ValueError(f"target {name!r} has no list of files")
        strays = [rel for rel in files if not rel.startswith(f"{name}/")]
        if strays:
            raise ValueError(f"target {name!r} lists files outside its folder: {strays[0]!r}")
        provenance = {key: value for key, value in entry.items() if key != "files"}
        records[name] = TargetRecord(provenance, tuple(files))
    return records


def _manifest_bytes(records: Mapping[str, TargetRecord]) -> bytes:
    document = {
        GENERATED_KEY: f"{GENERATED_NOTICE}: the files capplan generated here, and from what",
        "format_version": MANIFEST_FORMAT,
        "targets": {name: records[name].as_json() for name in sorted(records)},
    }
    return json_text(document).encode("utf-8")
