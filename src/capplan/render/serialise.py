"""Syntax-aware serialisers: the only way a value reaches a generated file.

Templates never paste a raw string into YAML, JSON, CSV, Markdown, Mermaid or a Slurm
config: a site description such as `"x\\n---\\nkind: Secret"` or `=HYPERLINK(...)`
must stay a value and never become document structure or a spreadsheet formula. Each
filter here knows one syntax and returns :class:`Serialised` text; the template
environment refuses to print any other string (see `engine._finalize`).

All output is deterministic: sorted mapping keys, fixed float formatting, no
dependence on locale, time or hash seed.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import html
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml
from pydantic import BaseModel

from capplan.render import names


class Serialised(str):
    """Text already encoded for the syntax of the file it goes into.

    A `str` subclass so it prints like text; only these (and numbers and dates, whose
    text cannot carry syntax) may be printed by a template.
    """

    __slots__ = ()


class SafeHtml(Serialised):
    """Text already encoded for HTML: an autoescaped template prints it as it is."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


class TemplateDataError(ValueError):
    """A value cannot be written in the requested syntax (reported as a problem)."""


YAML_WIDTH = 4096
"""Line width given to PyYAML: long strings stay on one line (no folding churn in diffs)."""

CSV_FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
"""First characters that make spreadsheets treat a cell as a formula (OWASP CSV
injection list, plus the full-width forms some spreadsheets also accept)."""

_MD_ESCAPED = re.compile(r"([\\`*_\[\]|~$])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHITESPACE_RUN = re.compile(r"\s+")
_MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,/+\-]+")
_CONF_WORD = re.compile(r"^[A-Za-z0-9._\-]+$")


# --- plain data -------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Turn context objects into JSON-like data (dict, list, str, int, float, bool, None).

    Pydantic models dump in JSON mode (dates as ISO strings, computed fields included);
    mapping keys must be strings; tuples become lists; `Serialised` becomes `str`.
    Non-finite floats are refused: neither YAML nor JSON consumers agree on them.
    """
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")  # already JSON-safe data
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TemplateDataError(f"cannot write the non-finite number {value!r}")
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TemplateDataError(f"mapping keys must be strings, not {key!r}")
            result[str(key)] = plain(item)
        return result
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(
            {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        )
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    raise TemplateDataError(f"cannot serialise a value of type {type(value).__name__}")


# --- YAML -------------------------------------------------------------------------


class _YamlDumper(yaml.SafeDumper):  # type: ignore[misc]
    """SafeDumper with no anchors/aliases, indented lists, and one-line strings.

    Aliases would make a manifest's meaning depend on object identity in the template;
    strings with line breaks are written double-quoted with `\\n` escapes so that a
    value never spans lines that look like YAML structure to a human reviewer.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = '"' if ("\n" in data or "\r" in data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_YamlDumper.add_representer(str, _represent_str)


def yaml_text(value: Any) -> str:
    """One YAML document for `value`, keys sorted, via PyYAML's safe dumper."""
    text: str = yaml.dump(
        plain(value),
        Dumper=_YamlDumper,
        sort_keys=True,
        width=YAML_WIDTH,
        allow_unicode=True,
        default_flow_style=False,
        explicit_start=False,
    )
    return text


def to_yaml(value: Any) -> Serialised:
    """Template filter: a whole YAML document."""
    return Serialised(yaml_text(value))


def load_yaml_documents(text: str) -> list[Any]:
    """Parse YAML safely (libyaml if available) to check what a template produced."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return list(yaml.load_all(text, Loader=loader))


# --- JSON -------------------------------------------------------------------------


def json_text(value: Any, is_plain: bool = False) -> str:
    """Canonical JSON: sorted keys, 2-space indent, UTF-8 text, trailing newline.

    `is_plain` skips converting `value` (it came from `json.loads`, say).
    """
    data = value if is_plain else plain(value)
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def compact_json_text(value: Any) -> str:
    """JSON on one line, keys sorted (C encoder: fast for big documents)."""
    return json.dumps(
        plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def to_json(value: Any, indent: bool = False) -> Serialised:
    """Template filter: a JSON value, compact unless `indent`.

    A `.json` file is re-written canonically (sorted, indented) after rendering anyway,
    so the compact form saves encoding a large plan twice; use `indent=true` to embed
    readable JSON in another kind of file.
    """
    return Serialised(json_text(value) if indent else compact_json_text(value))


# --- CSV --------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """Text of one CSV cell, defused against spreadsheet formula injection.

    A string whose first non-blank character is one of :data:`CSV_FORMULA_TRIGGERS`
    is prefixed with `'`, which spreadsheets read as "this is text". NetBox stores the
    apostrophe as part of the value, so such names should be fixed in the `.cap`
    file; that is the safer failure. Numbers (including negative ones) are not strings
    and are written as they are. Line breaks become LF (and the cell is quoted).
    """
    if type(value) is str and "\r" not in value:  # most cells: names, no CR to normalise
        stripped = value.lstrip(" ")
        return "'" + value if stripped and stripped[0] in CSV_FORMULA_TRIGGERS else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TemplateDataError(f"cannot write the non-finite number {value!r}")
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        # A bare CR is not quoted by the csv module when lines end in LF, and some
        # readers take it as a row break: make every line break an LF (then quoted).
        text = str(value).replace("\r\n", "\n").replace("\r", "\n")
        stripped = text.lstrip(" ")
        if stripped and stripped[0] in CSV_FORMULA_TRIGGERS:
            return "'" + text
        return text
    raise TemplateDataError(f"cannot write a {type(value).__name__} in a CSV cell")


def csv_text(rows: Iterable[Mapping[str, Any] | Sequence[Any]], columns: Sequence[str]) -> str:
    """CSV with a header row, `\\n` line ends and minimal quoting, via the csv module.

    Rows may be mappings (missing keys are empty cells; unknown keys are an error, as
    they are likely typos of a column) or sequences as long as `columns`.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_cell(column) for column in columns])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in _row_cells(row, columns)])
    return buffer.getvalue()


def _row_cells(row: Mapping[str, Any] | Sequence[Any], columns: Sequence[str]) -> list[Any]:
    if isinstance(row, Mapping):
        unknown = sorted(set(row) - set(columns))
        if unknown:
            raise TemplateDataError(f"CSV row has keys not in the columns: {', '.join(unknown)}")
        return [row.get(column) for column in columns]
    if isinstance(row, str) or not isinstance(row, Sequence) or len(row) != len(columns):
        raise TemplateDataError(f"CSV row must have {len(columns)} cells: {row!r}")
    return list(row)


def to_csv(rows: Iterable[Mapping[str, Any] | Sequence[Any]], columns: Sequence[str]) -> Serialised:
    """Template filter: a whole CSV file with a header row."""
    return Serialised(csv_text(rows, columns))


# --- Markdown and Mermaid ---------------------------------------------------------


def _one_line(value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return _WHITESPACE_RUN.sub(" ", _CONTROL.sub("", text)).strip()


def md(value: Any) -> Serialised:
    """Template filter: inline Markdown text (table cell, heading, paragraph).

    Line breaks become spaces (so a value cannot start a heading, list, table row or
    code fence), HTML is entity-escaped (no `<!--`, no raw tags), and Markdown
    punctuation that makes emphasis, links, code, tables or math is backslash-escaped.
    Meant for inline positions: do not start a line with it. None prints as an em dash.
    """
    if value is None:
        return Serialised("—")
    text = html.escape(_one_line(value), quote=False)
    return Serialised(_MD_ESCAPED.sub(r"\\\1", text))


def mermaid(value: Any) -> Serialised:
    """Template filter: text safe inside a Mermaid diagram line (task or section name).

    Keeps letters, digits, space and `_ . , / + -`; anything else (`:` `;` `#` quotes,
    backticks, brackets, line breaks) becomes a space, so the text can neither end the
    statement nor close the code fence.
    """
    text = _MERMAID_UNSAFE.sub(" ", _one_line(value))
    return Serialised(_WHITESPACE_RUN.sub(" ", text).strip() or "-")


def mermaid_list(values: Iterable[Any]) -> Serialised:
    """Template filter: a Mermaid `[...]` list; numbers as numbers, others quoted."""
    items: list[str] = []
    for value in values:
        if isinstance(value, bool):
            raise TemplateDataError("booleans cannot go in a Mermaid list")
        if isinstance(value, int | float):
            items.append(fixed(value, 3))
        else:
            items.append(f'"{mermaid(value)}"')
    return Serialised(f"[{', '.join(items)}]")


# --- numbers, config files, names ---------------------------------------------------


def fixed(value: Any, digits: int = 0, grouping: bool = False) -> Serialised:
    """Template filter: a number with a fixed count of decimals (locale-independent).

    Trailing zeros after the decimal point are kept, so columns line up; `grouping`
    adds `,` thousands separators (always `,`, never the locale's).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TemplateDataError(f"not a number: {value!r}")
    if not math.isfinite(value):
        raise TemplateDataError(f"cannot write the non-finite number {value!r}")
    spec = f"{',' if grouping else ''}.{digits}f"
    text = format(float(value), spec) if digits else format(round(value), "," if grouping else "d")
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0.0" for tiny negative noise
    return Serialised(text)


def comment(value: Any) -> Serialised:
    """Template filter: text for a `#` comment line: line breaks become spaces."""
    return Serialised(_one_line(value))


def conf_word(value: Any) -> Serialised:
    """Template filter: a bare word in a `key=value` config file (Slurm), validated.

    Only letters, digits and `. _ -` are allowed: a space, `#`, `=` or `,` would change
    how Slurm splits the line, so such a value is an error, not something to escape.
    """
    text = str(value)
    if not _CONF_WORD.match(text):
        raise TemplateDataError(f"{text!r} is not a plain word for a config file")
    return Serialised(text)


def conf_list(values: Iterable[Any]) -> Serialised:
    """Template filter: a comma-separated list of config words (`BlockSizes=18,36`)."""
    return Serialised(",".join(str(conf_word(value)) for value in values))


def hostlist(values: Iterable[Any]) -> Serialised:
    """Template filter: a compressed Slurm hostlist (`r1-n[01-18]`) of validated names."""
    return Serialised(names.hostlist(str(conf_word(value)) for value in values))


def k8s_name(value: Any) -> Serialised:
    """Template filter: the DNS-1123 label for a name (see :func:`names.k8s_name`)."""
    return Serialised(names.k8s_name(str(value)))


def k8s_label_value(value: Any) -> Serialised:
    """Template filter: a string checked to be a valid Kubernetes label value."""
    text = str(value)
    if not names.is_label_value(text):
        raise TemplateDataError(f"{text!r} is not a valid Kubernetes label value")
    return Serialised(text)


# --- plan pages (Markdown links and code fences, HTML) ------------------------------

_URL_PATH = re.compile(r"^[A-Za-z0-9._~/-]+$")


def html_text(value: Any) -> SafeHtml:
    """Template filter: HTML text or attribute value, every `<>&"'` entity-escaped.

    Control characters are dropped; None prints as an em dash, as `md` does.
    """
    if value is None:
        return SafeHtml("—")
    return SafeHtml(html.escape(_CONTROL.sub("", str(value)), quote=True))


def url_path(value: Any) -> Serialised:
    """Template filter: a relative path for a Markdown link or an HTML `src`.

    Only letters, digits and `. _ ~ / -`, no `..` segment and no leading `/`: the link
    stays inside the rendered tree (no scheme, no `javascript:`)."""
    text = str(value)
    if not _URL_PATH.match(text) or text.startswith("/") or ".." in text.split("/"):
        raise TemplateDataError(f"not a relative path inside the tree: {text[:60]!r}")
    return Serialised(text)


def fenced(value: Any) -> Serialised:
    """Template filter: the body of a fenced code block (a Mermaid chart).

    A line of backticks or tildes would close the fence early, so it is refused.
    """
    text = _CONTROL.sub("", str(value))
    if re.search(r"^\s*(```|~~~)", text, re.M):
        raise TemplateDataError("text for a code fence contains a fence line")
    return Serialised(text)
