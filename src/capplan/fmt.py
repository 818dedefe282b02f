"""`capplan fmt`: one canonical layout for `.cap` files, comments kept where they are.

The layout (docs/editors.md, "capplan fmt"):

* two spaces of indent per block level; `name = value`, `key: value`, `[a, b]`,
  `16 x 400 Gbps`, `a.b`, `0d .. 2w .. 10w`; quantities keep their unit spelling and whether a
  space separated number and unit; numbers, dates and strings stay as written;
* a block written on one line stays on one line (`{ a = 1  b = 2 }`, two spaces
  between members) when it holds no comment and fits in 100 columns; any other
  block has one member per line, and a run of consecutive one-line attributes
  (or schedule entries) aligns its `=` (its values), and its trailing comments;
* at most one blank line in a row, none after `{` or before `}`, exactly one
  around a declaration written over several lines; others keep the author's
  choice of one or none.

The formatter reads the syntax tree (`capplan.syntax.parse_source`) for the
structure and scans the text for comments (the tree has none); a file with a
syntax error is left alone. Before anything is written the output is parsed
again and must give the same tree (positions aside).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from capplan.diagnostics import Diagnostics
from capplan.source import SourceFile
from capplan.syntax import ast, parse_source

INDENT = "  "
WIDTH = 100
_QUANTITY = re.compile(r"([0-9][0-9_]*(?:\.[0-9_]+)?)([ \t]*)(.*)", re.S)
_BLANK = re.compile(r"\n[ \t\r\f]*\n")


@dataclass(frozen=True, slots=True)
class Comment:
    start: int
    end: int
    text: str
    trailing: bool  # code precedes it on its line


def scan_comments(text: str) -> list[Comment]:
    """Every `#` comment outside a string (strings never span lines)."""
    found: list[Comment] = []
    pos = 0
    size = len(text)
    line_has_code = False
    while pos < size:
        char = text[pos]
        if char == "\n":
            line_has_code = False
            pos += 1
        elif char == '"':
            pos += 1
            while pos < size and text[pos] not in '"\n':
                pos += 2 if text[pos] == "\\" else 1
            if pos < size and text[pos] == '"':
                pos += 1
            line_has_code = True
        elif char == "#":
            end = text.find("\n", pos)
            end = size if end == -1 else end
            found.append(Comment(pos, end, text[pos:end].rstrip(), line_has_code))
            pos = end
        else:
            if not char.isspace():
                line_has_code = True
            pos += 1
    return found


@dataclass(slots=True)
class Line:
    depth: int
    left: str  # code, or the aligned part (name, or `key:`)
    sep: str = ""  # " = " or " " after the padded left part; "" when not aligned
    right: str = ""
    comment: str = ""
    group: int = -1  # lines with the same group (>= 0) align `left` and their comments

    def code(self, width: int) -> str:
        if not self.sep:
            return self.left
        return self.left.ljust(width) + self.sep + self.right


@dataclass
class _Printer:
    text: str
    comments: list[Comment]
    lines: list[Line | None] = field(default_factory=list)  # None: a blank line
    next_comment: int = 0
    groups: int = 0
    last_end: int = 0  # source offset of the last thing printed

    # -- comments and blank lines -------------------------------------------------

    def has_comment(self, start: int, end: int) -> bool:
        return any(start < c.start < end for c in self.comments[self.next_comment :])

    def blank_before(self, start: int) -> bool:
        return _BLANK.search(self.text, self.last_end, start) is not None

    def blank(self) -> None:
        if self.lines and self.lines[-1] is not None:
            self.lines.append(None)

    def pending(self, before: int) -> Iterator[Comment]:
        while self.next_comment < len(self.comments):
            comment = self.comments[self.next_comment]
            if comment.start >= before:
                return
            self.next_comment += 1
            yield comment

    def flush(self, before: int, depth: int, *, leading_blank: bool = True) -> bool:
        """Print the comments before `before`; True when a standalone one was printed."""
        printed = False
        for comment in self.pending(before):
            if self._attach(comment):
                continue
            if leading_blank and self.blank_before(comment.start):
                self.blank()
            leading_blank = True
            self.lines.append(Line(depth, comment.text))
            self.last_end = comment.end
            printed = True
        return printed

    def emit(self, line: Line, end: int) -> None:
        self.lines.append(line)
        self.last_end = end

    def new_group(self) -> int:
        self.groups += 1
        return self.groups

    # -- items -----------------------------------------------------------------------

    def file(self, items: list[ast.Item]) -> None:
        previous_multiline = False
        for item in items:
            multiline = isinstance(item, ast.Decl | ast.Override) and (
                self.inline_block(item, 0) is None
            )
            standalone = [c for c in self.pending(item.start) if not self._attach(c)]
            starts = [c.start for c in standalone] + [item.start]
            ends = [c.end for c in standalone]
            gaps = []
            for index, start in enumerate(starts):
                gaps.append(self.blank_before(start))
                if index < len(ends):
                    self.last_end = ends[index]
            run = max((i for i, gap in enumerate(gaps) if gap), default=0)
            for index in range(len(starts)):
                opens_run = multiline and index == run
                if self.lines and (gaps[index] or (index == 0 and previous_multiline) or opens_run):
                    self.blank()
                if index < len(standalone):
                    self.lines.append(Line(0, standalone[index].text))
            self.item(item)
            previous_multiline = multiline
        for comment in self.pending(len(self.text) + 1):
            if not self._attach(comment):
                if self.blank_before(comment.start):
                    self.blank()
                self.lines.append(Line(0, comment.text))
            self.last_end = comment.end

    def _attach(self, comment: Comment) -> bool:
        """Put a trailing comment at the end of the last line printed, if it can go there."""
        last = self.lines[-1] if self.lines else None
        if comment.trailing and last is not None and not last.comment:
            last.comment = comment.text
            self.last_end = comment.end
            return True
        return False

    def item(self, item: ast.Item) -> None:
        if isinstance(item, ast.Import):
            self.emit(Line(0, f'import "{item.path.raw}"'), item.end)
        elif isinstance(item, ast.Const):
            self.emit(Line(0, f"const {item.name}", " = ", self.value(item.value)), item.end)
            self.lines[-1].group = self._const_group()  # type: ignore[union-attr]
        elif isinstance(item, ast.Remove):
            self.emit(Line(0, f"remove {item.kind} {item.name}"), item.end)
        elif isinstance(item, ast.Override):
            head = f"override {item.kind} {item.target.dotted}"
            self.block(head, item.members, item.start, item.end, 0)
        else:
            self.block(f"{item.kind} {item.name}", item.members, item.start, item.end, 0)

    def _const_group(self) -> int:
        previous = self.lines[-2] if len(self.lines) > 1 else None
        if previous is not None and previous.left.startswith("const ") and previous.sep:
            return previous.group
        return self.new_group()

    # -- blocks ------------------------------------------------------------------------

    def inline_block(self, node: ast.Decl | ast.Override, depth: int) -> str | None:
        head = (
            f"override {node.kind} {node.target.dotted}"
            if isinstance(node, ast.Override)
            else f"{node.kind} {node.name}"
        )
        return self._inline(head, node.members, node.start, node.end, depth)

    def _inline(
        self, head: str, members: list[ast.Member], start: int, end: int, depth: int
    ) -> str | None:
        """The one-line form, when the source has it on one line, comment-free, fitting."""
        if "\n" in self.text[start:end] or self.has_comment(start, end):
            return None
        parts = [self.inline_member(m, depth) for m in members]
        if any(p is None for p in parts):
            return None
        body = "  ".join(p for p in parts if p is not None)
        line = f"{head} {{ {body} }}" if body else f"{head} {{}}"
        return line if len(INDENT * depth) + len(line) <= WIDTH else None

    def inline_member(self, member: ast.Member, depth: int) -> str | None:
        if isinstance(member, ast.Attribute):
            return f"{member.name} = {self.value(member.value)}"
        if isinstance(member, ast.MapMember):
            entries = "  ".join(self.entry(e) for e in member.entries)
            return f"{member.name} {{ {entries} }}" if entries else f"{member.name} {{}}"
        return self.inline_block(member, depth)

    def block(self, head: str, members: list[ast.Member], start: int, end: int, depth: int) -> None:
        one_line = self._inline(head, members, start, end, depth)
        if one_line is not None:
            self.emit(Line(depth, one_line), end)
            return
        self.emit(Line(depth, f"{head} {{"), start)
        group = -1
        for index, member in enumerate(members):
            if self.flush(member.start, depth + 1, leading_blank=index > 0):
                group = -1
            if index > 0 and self.blank_before(member.start):
                self.blank()
                group = -1
            group = self.member(member, depth + 1, group)
        self.flush(end - 1, depth + 1)
        self.emit(Line(depth, "}"), end)

    def member(self, member: ast.Member, depth: int, group: int) -> int:
        """Print one member; the alignment group the next attribute may join."""
        if isinstance(member, ast.Attribute):
            value = self.value(member.value)
            if isinstance(member.value, ast.ListVal) and self._list_broken(member, depth):
                self.multiline_list(member, depth)
                return -1
            if group < 0:
                group = self.new_group()
            self.emit(Line(depth, member.name, " = ", value, group=group), member.end)
            return group
        if isinstance(member, ast.MapMember):
            self.map(member, depth)
            return -1
        self.block(f"hall {member.name}", member.members, member.start, member.end, depth)
        return -1

    def map(self, member: ast.MapMember, depth: int) -> None:
        text = self.text[member.start : member.end]
        entries = "  ".join(self.entry(e) for e in member.entries)
        inline = f"{member.name} {{ {entries} }}" if entries else f"{member.name} {{}}"
        if (
            "\n" not in text
            and not self.has_comment(member.start, member.end)
            and len(INDENT * depth) + len(inline) <= WIDTH
        ):
            self.emit(Line(depth, inline), member.end)
            return
        self.emit(Line(depth, f"{member.name} {{"), member.name_end)
        group = self.new_group()
        for index, entry in enumerate(member.entries):
            if self.flush(entry.key.start, depth + 1, leading_blank=index > 0):
                group = self.new_group()
            if index > 0 and self.blank_before(entry.key.start):
                self.blank()
                group = self.new_group()
            key = self.key(entry.key) + ":"
            self.emit(
                Line(depth + 1, key, " ", self.value(entry.value), group=group), entry.value.end
            )
        self.flush(member.end - 1, depth + 1)
        self.emit(Line(depth, "}"), member.end)

    def _list_broken(self, member: ast.Attribute, depth: int) -> bool:
        start, end = member.value.start, member.value.end
        one_line = len(INDENT * depth) + len(member.name) + 3 + len(self.value(member.value))
        return self.has_comment(start, end) or one_line > WIDTH

    def multiline_list(self, member: ast.Attribute, depth: int) -> None:
        assert isinstance(member.value, ast.ListVal)
        self.emit(Line(depth, f"{member.name} = ["), member.value.start + 1)
        for item in member.value.items:
            self.flush(item.start, depth + 1)
            self.emit(Line(depth + 1, self.value(item) + ","), item.end)
        self.flush(member.value.end - 1, depth + 1)
        self.emit(Line(depth, "]"), member.value.end)

    # -- values ------------------------------------------------------------------------

    def entry(self, entry: ast.Entry) -> str:
        return f"{self.key(entry.key)}: {self.value(entry.value)}"

    def key(self, key: ast.Key) -> str:
        return self.value(key)

    def value(self, value: ast.Value) -> str:
        return render_value(value)


def render_value(value: ast.Value) -> str:
    """A value in canonical spelling: as written, with canonical spaces."""
    if isinstance(value, ast.Quantity):
        match = _QUANTITY.fullmatch(value.text)
        if match is None:
            return value.text
        number, space, unit = match.groups()
        return f"{number}{' ' if space else ''}{unit}"
    if isinstance(value, ast.Number | ast.DateLit):
        return value.text
    if isinstance(value, ast.String):
        return f'"{value.raw}"'
    if isinstance(value, ast.Bool):
        return "true" if value.value else "false"
    if isinstance(value, ast.Ref):
        return value.dotted
    if isinstance(value, ast.Product):
        return f"{value.count.text} x {render_value(value.operand)}"
    if isinstance(value, ast.Range):
        return " .. ".join(render_value(v) for v in value.bounds)
    return "[" + ", ".join(render_value(v) for v in value.items) + "]"


def _layout(lines: list[Line | None]) -> str:
    widths: dict[int, int] = {}
    for line in lines:
        if line is not None and line.group >= 0:
            widths[line.group] = max(widths.get(line.group, 0), len(line.left))
    codes: list[str | None] = []
    comment_at: dict[int, int] = {}
    for line in lines:
        if line is None:
            codes.append(None)
            continue
        printed = INDENT * line.depth + line.code(widths.get(line.group, 0))
        codes.append(printed)
        if line.group >= 0 and line.comment:
            comment_at[line.group] = max(comment_at.get(line.group, 0), len(printed))
    out: list[str] = []
    for line, code in zip(lines, codes, strict=True):
        if line is None or code is None:
            out.append("")
            continue
        text = code
        if line.comment:
            column = comment_at.get(line.group, len(code)) if line.group >= 0 else len(code)
            text = code.ljust(column) + "  " + line.comment
        out.append(text.rstrip())
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n" if out else ""


@dataclass(frozen=True)
class Formatted:
    text: str  # the formatted text; the input unchanged when it could not be formatted
    diagnostics: Diagnostics  # syntax errors: the file was left alone

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


def format_text(text: str, name: str = "<input>") -> Formatted:
    """The canonical layout of a file, or the file unchanged with its syntax errors."""
    source = SourceFile(name, text)
    parsed = parse_source(source)
    if parsed.diagnostics.has_errors:
        return Formatted(text, parsed.diagnostics)
    printer = _Printer(text, scan_comments(text))
    printer.file(parsed.file.items)
    out = _layout(printer.lines)
    _check_same_tree(parsed.file, out, name)
    return Formatted(out, parsed.diagnostics)


def _check_same_tree(before: ast.File, out: str, name: str) -> None:
    after = parse_source(SourceFile(name, out))
    if after.diagnostics.has_errors or shape(after.file) != shape(before):
        raise AssertionError(f"capplan fmt would change the meaning of {name}")


def shape(node: object) -> object:
    """A node without its positions: what the formatter must preserve."""
    if isinstance(node, ast.File):
        return [shape(item) for item in node.items]
    if isinstance(node, list):
        return [shape(item) for item in node]
    if isinstance(node, ast.Quantity):
        return ("Q", render_value(node))
    if isinstance(node, ast.Ref):
        return ("R", node.parts)
    skip = {"start", "end", "name_start", "name_end", "kind_start", "source"}
    slots = getattr(type(node), "__slots__", None)
    if slots is None or isinstance(node, str | int | bool | tuple):
        return node
    return (type(node).__name__, *(shape(getattr(node, s)) for s in slots if s not in skip))


# -- files -----------------------------------------------------------------------------


def cap_files(paths: list[Path]) -> list[Path]:
    """The files to format: each file given, and every `.cap` file under each directory."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.cap") if p.is_file()))
        else:
            found.append(path)
    return found


def unified_diff(before: str, after: str, name: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"{name} (original)",
        tofile=f"{name} (formatted)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def write_atomic(path: Path, text: str) -> None:
    """Replace the file in one rename, so a crash leaves the old or the new text, never half."""
    handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(staged, stat.S_IMODE(path.stat().st_mode))
        os.replace(staged, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staged)
        raise
