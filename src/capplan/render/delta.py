"""NetBox update files: the objects added since the render the output folder last held.

NetBox's CSV import creates objects and refuses (rolling back the whole file) any row
whose object already exists, so importing a later full render into a NetBox that holds
the earlier one fails. Beside the full CSVs, `netbox/added/` therefore holds the rows
of objects that are new since the *base*: the render the folder held before. The
manifest's previous `netbox` record says what that was; its full CSVs are still on
disk (capplan owns them). A render whose full CSVs are those the folder holds already
keeps its delta files as they are, so a re-render (or one after a comment edit) stays
a no-op. Changed and removed objects are listed in `netbox/added/README.md` with the steps to apply them.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import stat
from collections.abc import Mapping
from pathlib import Path

from capplan.render.layout import notice
from capplan.render.manifest import TargetRecord, read_manifest

TARGET = "netbox"
DELTA_FOLDER = f"{TARGET}/added"
README = f"{DELTA_FOLDER}/README.md"
SINCE_KEY = "delta_since"
"""Provenance key: the `at` of the base render, or "" when the folder held none."""

KEY_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "sites.csv": ("name",),
    "locations.csv": ("site", "name"),
    "racks.csv": ("site", "name"),
    "power-panels.csv": ("site", "name"),
    "power-feeds.csv": ("power_panel", "name"),
}
"""Per NetBox file, the columns that identify an object (what NetBox keeps unique)."""

IMPORT_ORDER = tuple(KEY_COLUMNS)
MAX_READ = 64 * 1024 * 1024

Rows = dict[tuple[str, ...], list[str]]


def _parse(data: bytes, name: str) -> tuple[list[str], Rows]:
    """Header and rows by key of one NetBox CSV (empty if it cannot be read)."""
    try:
        table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error):
        return [], {}
    if not table:
        return [], {}
    header, *body = table
    try:
        index = [header.index(column) for column in KEY_COLUMNS[name]]
    except ValueError:
        return header, {}
    return header, {tuple(row[i] for i in index): row for row in body if len(row) == len(header)}


def _read_owned(root: Path, rel: str) -> bytes:
    """A file capplan wrote before, never through a symlink or from a FIFO; b"" if none."""
    try:
        descriptor = os.open(root / rel, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return b""
        chunks, size = [], 0
        while size < MAX_READ and (chunk := os.read(descriptor, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError:
        return b""
    finally:
        os.close(descriptor)


def _base_rows(root: Path, old: TargetRecord | None) -> dict[str, Rows] | None:
    """Objects of the base render per file, or None when the folder held no render."""
    if old is None:
        return None
    owned = set(old.files)
    base: dict[str, Rows] = {}
    for name in KEY_COLUMNS:
        full = f"{TARGET}/{name}"
        base[name] = _parse(_read_owned(root, full), name)[1] if full in owned else {}
    return base


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def netbox_delta(
    root: Path, files: Mapping[str, bytes], record: TargetRecord
) -> tuple[dict[str, bytes], TargetRecord]:
    """The delta files for a NetBox render into `root`, and the record listing them."""
    old_records, problems = read_manifest(root)
    old = None if problems else old_records.get(TARGET)
    provenance = dict(record.provenance)
    # The same NetBox content again (even from an edited comment or a newer capplan):
    # keep the delta of the render that produced it.
    same = old is not None and all(
        _read_owned(root, f"{TARGET}/{name}") == files.get(f"{TARGET}/{name}", b"")
        for name in KEY_COLUMNS
    )
    if old is None:
        since = ""
    elif same:
        since = str(old.provenance.get(SINCE_KEY, ""))
    else:
        since = str(old.provenance.get("at", ""))
    if same and old is not None:
        kept = {
            rel: _read_owned(root, rel) for rel in old.files if rel.startswith(f"{DELTA_FOLDER}/")
        }
        if README in kept and all(kept.values()):
            # The same render again: its delta (base, changes, removals) stays as it was.
            provenance[SINCE_KEY] = since
            return kept, TargetRecord(provenance, tuple(sorted({*record.files, *kept})))
    base = _base_rows(root, old)
    added_files: dict[str, bytes] = {}
    counts: list[str] = []
    details: list[str] = []
    for name in IMPORT_ORDER:
        full = f"{TARGET}/{name}"
        if full not in files:
            continue
        header, rows = _parse(files[full], name)
        before = (base or {}).get(name, {})
        added = [row for key, row in rows.items() if key not in before]
        changed = sorted(key for key, row in rows.items() if key in before and before[key] != row)
        removed = sorted(key for key in before if key not in rows)
        if added:
            added_files[f"{DELTA_FOLDER}/{name}"] = _csv(header, added)
        counts.append(f"| `{name}` | {len(added)} | {len(changed)} | {len(removed)} |")
        details += [f"- changed in `{name}`: {_keys(changed)}"] if changed else []
        details += [f"- removed from `{name}`: {_keys(removed)}"] if removed else []
    added_files[README] = _readme(since if base is not None else "", counts, details, added_files)
    provenance[SINCE_KEY] = since
    paths = tuple(sorted({*record.files, *added_files}))
    return added_files, TargetRecord(provenance, paths)


def _keys(keys: list[tuple[str, ...]]) -> str:
    return ", ".join("`" + " / ".join(part.replace("`", "'") for part in key) + "`" for key in keys)


def _readme(since: str, counts: list[str], details: list[str], files: Mapping[str, bytes]) -> bytes:
    base = f"the render of {since} that this folder held before" if since else "an empty NetBox"
    listing = "\n".join(
        f"- `{posixpath.basename(path)}`" for path in sorted(files) if path.endswith(".csv")
    )
    changes = "\n".join(details) or "None."
    text = (
        f"<!-- {notice('lists the NetBox objects added since the previous render')} -->\n"
        "# NetBox update\n\n"
        f"The CSV files in this folder hold only the objects added since {base}. Import "
        "them in the order of `../README.md` into a NetBox that holds the previous render "
        "(importing the full CSVs again fails: NetBox refuses objects that exist).\n\n"
        f"{listing or 'Nothing was added.'}\n\n"
        "| file | added | changed | removed |\n|---|---:|---:|---:|\n"
        + "\n".join(counts)
        + f"\n\n## Changed and removed objects (by site / name)\n\n{changes}\n\n"
        "Changed objects: NetBox updates an object from a CSV row only when the row has "
        "its `id`, which capplan cannot know. Export the objects listed above from NetBox "
        "(list view, *Export*, which includes `id`) or select them for *Bulk edit*, and "
        "set the fields to the values of the full CSV in `..`.\n\n"
        "Removed objects: delete them in NetBox (list view, *Delete selected*): power "
        "feeds before racks and panels, racks before locations, locations before sites.\n"
    )
    return text.encode("utf-8")
