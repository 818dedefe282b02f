"""The docs run: every shell, console and Python block in README.md and docs/ is executed.

A block is run in a temporary directory: a copy of the repository, or, when its section
shows `.cap` files (the unlabelled or ```cap blocks before it, named by a `` `path`: ``
line, `fleet.cap` otherwise), a directory holding just those files. `capplan` is
`python -m capplan` of this checkout, `python` is the interpreter running the tests.

- ```sh / ```bash: each command (a line, `\\` continuations joined) must exit 0, or the
  code its trailing comment names (`# exit 1`).
- ```console: each `$ command` is run; the lines after it, up to the next `$`, are its
  output (stdout and stderr together) and must be what it prints. `$ echo $?` checks the
  exit code of the command before it; otherwise a trailing `# exit N` names it (0 when
  neither is given).
- ```python: the block is one script and must exit 0.

A block that cannot run in a test carries its reason right before it in the Markdown:
`<!-- not run: installs packages -->`. Every relative link must point at a file of the
repository and every `#anchor` into a Markdown file at one of its headings.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from capplan.api import compile_text
from capplan.diagnostics.codes import Code
from capplan.diagnostics.text import render_text

REPO = Path(__file__).resolve().parents[1]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
RUN = ("sh", "bash", "console", "python")
"""The fence languages whose blocks are executed."""
ALIASES = ("shell", "shell-session", "shellsession", "zsh", "py", "python3", "pycon")
"""Other spellings of runnable languages: a block must use one of RUN, so none escapes."""
CAP = ("", "cap")
NOT_RUN = re.compile(r"<!--\s*not run:\s*(.*?)\s*-->")
FILE_LABEL = re.compile(r"^`([\w./-]+\.cap)`:$")
INSTALLS = re.compile(r"\b(pip|pipx|uv|apt-get|apt|npm)\b[^|;&]*\binstall\b")
"""A command that installs packages: never run by a test, whatever its marker says."""
EXIT_COMMENT = re.compile(r"\s#[^#]*\bexits? (\d+)\)?\s*$")
"""A trailing comment that ends in the expected exit code: `# exit 1`, `# … (exit 1)`."""
TIMEOUT = 120.0
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)(?P<info>.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page, with what comes before it."""

    page: Path
    line: int
    lang: str
    info: str
    """What follows the language on the fence line (`fragment` in ```cap fragment)."""
    body: str
    before: str
    """The last non-blank line before the fence (a `<!-- not run -->` or a file label)."""
    files: tuple[tuple[str, str], ...]
    """The `.cap` files its section shows before it: (relative path, text)."""

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(REPO).as_posix()}:{self.line}"

    @property
    def reason(self) -> str | None:
        match = NOT_RUN.search(self.before)
        return match.group(1) if match else None


def page_blocks(page: Path) -> list[Block]:
    """Every fenced block of a page, in order, with the section's `.cap` files so far."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    files: dict[str, str] = {}
    before = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if fence is None:
            if _HEADING.match(line):
                files = {}
            if line.strip():
                before = line.strip()
            index += 1
            continue
        indent, mark, lang, info = fence["indent"], fence["fence"], fence["lang"], fence["info"]
        body: list[str] = []
        index += 1
        while index < len(lines) and not (
            lines[index].strip().startswith(mark) and set(lines[index].strip()) == {mark[0]}
        ):
            body.append(lines[index].removeprefix(indent))
            index += 1
        text = "\n".join(body) + "\n"
        start = index - len(body)
        if lang in CAP and "fragment" not in info:
            label = FILE_LABEL.match(before)
            files[label.group(1) if label else "fleet.cap"] = text
        blocks.append(Block(page, start, lang, info.strip(), text, before, tuple(files.items())))
        before = ""
        index += 1
    return blocks


BLOCKS = [block for page in PAGES for block in page_blocks(page)]
RUNNABLE = [block for block in BLOCKS if block.lang in RUN]


@pytest.fixture(scope="session")
def shims(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`capplan` and `python` on PATH, meaning this checkout and this interpreter."""
    bin_dir = tmp_path_factory.mktemp("bin")
    for name, command in (("capplan", "-m capplan"), ("python", "")):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" {command} "$@"\n', "utf-8")
        shim.chmod(0o755)
    return bin_dir


def _workspace(block: Block, root: Path) -> Path:
    """The block's working directory: its section's `.cap` files, or a repository copy."""
    if block.files:
        root.mkdir()
        for name, text in block.files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        return root
    ignore = shutil.ignore_patterns(
        ".git", "__pycache__", "*_cache", ".hypothesis", "out", ".venv", "venv", "*.egg-info"
    )
    shutil.copytree(REPO, root, ignore=ignore)
    return root


def _env(shims: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORCE_COLOR", "CLICOLOR"))}
    env.update(
        PATH=f"{shims}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(REPO / "src"),
        NO_COLOR="1",
        COLUMNS="100",
        TERM="dumb",
        PYTHONHASHSEED="0",
    )
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a process group, stdout and stderr together; on a timeout end the whole group."""
    with subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            output, _ = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    return subprocess.CompletedProcess(args, process.returncode, output)


def _shell(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    assert not INSTALLS.search(command), f"`{command}` installs packages: mark it not run"
    return _run(["bash", "-c", command], cwd, env)


def _expected_exit(command: str) -> int:
    match = EXIT_COMMENT.search(command)
    return int(match.group(1)) if match else 0


def _logical_lines(body: str) -> list[str]:
    """Commands of a shell block: `\\` continuations joined, blanks and comments dropped."""
    commands: list[str] = []
    pending = ""
    for line in body.splitlines():
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def _console_steps(body: str) -> list[tuple[str, list[str]]]:
    """`$ command` lines of a console block, each with the output lines shown after it."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:].strip(), []))
        elif steps:
            steps[-1][1].append(line)
        else:
            raise AssertionError(f"output before the first `$ ` command: {line!r}")
    return steps


def _normal(lines: list[str]) -> str:
    """Output as compared: trailing spaces and trailing blank lines do not count."""
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _run_sh(block: Block, cwd: Path, env: dict[str, str]) -> None:
    for command in _logical_lines(block.body):
        result = _shell(command, cwd, env)
        expected = _expected_exit(command)
        assert result.returncode == expected, (
            f"{block.id}: `{command}` exited {result.returncode}, expected {expected}\n"
            f"{result.stdout[-3000:]}"
        )


def _run_console(block: Block, cwd: Path, env: dict[str, str]) -> None:
    steps = _console_steps(block.body)
    assert steps, f"{block.id}: a console block without a `$ ` command"
    last: tuple[str, int] | None = None
    for position, (command, shown) in enumerate(steps):
        if command == "echo $?":
            assert last is not None, f"{block.id}: `echo $?` before any command"
            assert [str(last[1])] == [line for line in shown if line.strip()], (
                f"{block.id}: `{last[0]}` exited {last[1]}, the page shows {shown}"
            )
            continue
        result = _shell(command, cwd, env)
        last = (command, result.returncode)
        following = steps[position + 1][0] if position + 1 < len(steps) else ""
        if following != "echo $?":
            expected = _expected_exit(command)
            assert result.returncode == expected, (
                f"{block.id}: `{command}` exited {result.returncode}, expected {expected}\n"
                f"{result.stdout[-3000:]}"
            )
        if _normal(shown):
            assert _normal(result.stdout.splitlines()) == _normal(shown), (
                f"{block.id}: `{command}` prints something else than the page shows"
            )


def _run_python(block: Block, cwd: Path, env: dict[str, str]) -> None:
    assert not INSTALLS.search(block.body), f"{block.id} installs packages: mark it not run"
    script = cwd / "docs_example.py"
    script.write_text(block.body, encoding="utf-8")
    result = _run([sys.executable, str(script)], cwd, env)
    assert result.returncode == 0, f"{block.id} exited {result.returncode}\n{result.stdout}"


@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_block_runs(block: Block, shims: Path, tmp_path: Path) -> None:
    if block.reason is not None:
        pytest.skip(f"not run: {block.reason}")
    cwd = _workspace(block, tmp_path / "work")
    env = _env(shims)
    {"console": _run_console, "python": _run_python}.get(block.lang, _run_sh)(block, cwd, env)


def test_the_readme_set_up_runs_once_installed(shims: Path, tmp_path: Path) -> None:
    """README's first set-up command is `pip install . && <the main job>`: the main job runs
    here against this checkout (the install is CI's own step, `.ci/run`)."""
    (setup, *_) = [b for b in RUNNABLE if b.page.name == "README.md" and b.reason]
    install, job = setup.body.strip().split(" && ", 1)
    assert install == "pip install ."
    result = _shell(job, _workspace(setup, tmp_path / "work"), _env(shims))
    assert result.returncode == 0, result.stdout[-3000:]
    assert result.stdout.startswith("nscale_2026  2025-09-01 .. 2027-06-30"), result.stdout[:300]


def test_every_block_not_run_says_why() -> None:
    """A `not run` marker has a reason and stands right before a runnable block."""
    marked = {block.id for block in RUNNABLE if block.reason}
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        markers = len(NOT_RUN.findall(text))
        on_blocks = sum(1 for block in RUNNABLE if block.page == page and block.id in marked)
        assert markers == on_blocks, f"{page.name}: a `not run` marker not before a block"
    assert all(block.reason for block in RUNNABLE if block.id in marked)


def test_installs_are_never_run() -> None:
    unmarked = [b.id for b in RUNNABLE if INSTALLS.search(b.body) and b.reason is None]
    assert unmarked == [], f"blocks that install packages need `<!-- not run: … -->`: {unmarked}"


def test_no_runnable_block_hides_under_another_name() -> None:
    hidden = [block.id for block in BLOCKS if block.lang.lower() in ALIASES]
    assert hidden == [], f"use ```sh, ```console or ```python: {hidden}"


def test_the_pages_have_runnable_blocks() -> None:
    """The parser finds the blocks it should (a guard against a test that runs nothing)."""
    langs = {block.lang for block in RUNNABLE if block.reason is None}
    assert {"sh", "console", "python"} <= langs
    assert len([b for b in RUNNABLE if b.reason is None]) >= 30


# --- the language reference ------------------------------------------------------------

LANGUAGE = REPO / "docs" / "language.md"
MODELS = [b for b in BLOCKS if b.lang == "cap" and "fragment" not in b.info]
"""Every ```cap block of the pages is a whole model (README's tour, the reference's examples)."""


def test_every_block_of_the_reference_says_what_it_is() -> None:
    """```cap (a whole model), ```cap fragment, or another language: never unlabelled."""
    unlabelled = [block.id for block in page_blocks(LANGUAGE) if block.lang == ""]
    assert unlabelled == []
    assert len(MODELS) >= 6


@pytest.mark.parametrize("block", MODELS, ids=[block.id for block in MODELS])
def test_reference_models_validate(block: Block) -> None:
    compilation = compile_text(block.body, "example.cap")
    errors = [d for d in compilation.diagnostics if d.is_error]
    assert compilation.model is not None and errors == [], render_text(errors)


def test_reference_cost_example_totals(tmp_path: Path) -> None:
    """§14's example: the totals the page works out by hand are what `plan` reports."""
    (block,) = [b for b in MODELS if b.page == LANGUAGE and "capital_rate = 10%" in b.body]
    model = tmp_path / "cost.cap"
    model.write_text(block.body, encoding="utf-8")
    args = [sys.executable, "-m", "capplan", "plan", str(model), "--format", "json"]
    result = subprocess.run(args, capture_output=True, text=True, env=_env(tmp_path), check=True)
    fleet = json.loads(result.stdout)["plan"]["cost"]["fleet"]
    # one rack-day: 100 kW x 80% x 1.25 x 24 h = 2.4 MWh; 10 racks live 90 days
    assert fleet["energy_mwh"] == 10 * 90 * 2.4
    assert fleet["energy_cost"] == 10 * 59 * 2.4 * 40 + 10 * 31 * 2.4 * 20  # 71,520 EUR
    assert fleet["carbon_t"] == 2160 * 100 / 1000
    assert fleet["depreciation"] == 900 * 3_650_000 / 365  # 9,000,000 EUR
    assert fleet["carrying_cost"] == 0


def test_reference_lists_every_code() -> None:
    """§18's table names every code of the registry, with its severity."""
    text = LANGUAGE.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| \[([EW]\d{3})\]\([^)]*\) \| (error|warning) \|", text, re.M))
    assert rows == {code.value: code.severity.value for code in Code}


# --- links -----------------------------------------------------------------------------

_LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*([^)\s]+)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)


def _prose(text: str, *, inline: bool = True) -> str:
    """The page without its code: fenced blocks (and inline code spans) blanked."""
    kept: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match["fence"]
            kept.append("")
        elif fence is not None:
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = None
            kept.append("")
        else:
            kept.append(re.sub(r"(`+).*?\1", "", line) if inline else line)
    return "\n".join(kept)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading anchor of a Markdown page, duplicates numbered as GitHub does."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    for line in _prose(page.read_text(encoding="utf-8"), inline=False).splitlines():
        heading = _HEADING.match(line)
        if heading is None:
            continue
        base = slug(heading.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    found |= set(re.findall(r"<a (?:name|id)=\"([^\"]+)\"", page.read_text(encoding="utf-8")))
    return found


def links(page: Path) -> list[str]:
    prose = _prose(page.read_text(encoding="utf-8"))
    return [*_LINK.findall(prose), *_IMAGE.findall(prose), *_REFERENCE.findall(prose)]


def _local(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I)


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(REPO).as_posix() for p in PAGES])
def test_relative_links_resolve(page: Path) -> None:
    broken: list[str] = []
    for target in filter(_local, links(page)):
        path_part, _, anchor = target.partition("#")
        path = (page.parent / path_part).resolve() if path_part else page
        if not path.is_relative_to(REPO) or not path.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{target}: no heading `#{anchor}` in {path.relative_to(REPO)}")
    assert broken == [], f"{page.relative_to(REPO)}: " + "; ".join(broken)


def test_slug_matches_the_registry_anchors() -> None:
    """The slug rule is GitHub's: checked against an anchor the code registry emits."""
    assert slug("E209 — lot GPUs not a multiple of the rack type's GPUs") == (
        "e209--lot-gpus-not-a-multiple-of-the-rack-types-gpus"
    )
    assert slug("5. File structure: declarations, attributes, maps") == (
        "5-file-structure-declarations-attributes-maps"
    )
