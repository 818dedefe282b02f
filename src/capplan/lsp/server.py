"""`capplan lsp`: the language server over stdio (pygls 2, lsprotocol).

All analysis runs on one worker thread, in order: the parser and the caches
see one caller at a time, and the event loop stays free to read the next
edit. A change is checked after DEBOUNCE seconds without another change; the
static diagnostics (E1xx, E2xx, E300, E401-E403, W404) are published at once,
then the plan's (W302, E301, E400, E5xx) when the schedule is computed, unless
the text changed meanwhile.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from capplan import __version__
from capplan.diagnostics import Diagnostic
from capplan.explain import doc_path_uri
from capplan.fmt import format_text, scan_comments
from capplan.lsp import completions, hover_text, navigation, quickfix, tokens
from capplan.lsp.analysis import Analysis, Symbol, Workspace
from capplan.lsp.positions import lsp_range, offset, path_uri, uri_path
from capplan.source import SourceFile

if TYPE_CHECKING:  # the planner is imported when first needed: the server starts fast
    from capplan.api import Planned
    from capplan.report import PlanReport

    PlanPair = tuple[PlanReport | None, Planned | None]

DEBOUNCE = 0.15  # seconds of quiet typing before a check
T = TypeVar("T")


class CapServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("capplan", __version__)
        self.state = Workspace()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="capplan-check")
        self.generation = 0
        self.published: dict[Path, set[Path]] = {}  # root -> files given diagnostics
        self.latest: dict[Path, tuple[int, Analysis]] = {}  # file -> its program's analysis
        self.reports: dict[Path, tuple[int, PlanPair]] = {}  # root -> (generation, plan report)
        self.pending: dict[Path, asyncio.Task[None]] = {}

    async def run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, work)

    def analysis(self, path: Path) -> Analysis | None:
        """The current analysis of `path`'s program (worker thread only)."""
        real = Path(os.path.realpath(path))
        found = self.latest.get(real)
        if found is not None and found[0] == self.generation:
            return found[1]
        generation = self.generation
        analysis = self.state.analyse(real)
        if analysis is not None:
            for source in analysis.sources():
                assert source.path is not None
                self.latest[source.path] = (generation, analysis)
            self.latest[real] = (generation, analysis)
        return analysis

    def report(self, analysis: Analysis) -> PlanPair:
        """The plan report of an analysis, computed once per generation (worker thread only)."""
        found = self.reports.get(analysis.root)
        if found is not None and found[0] == self.generation:
            return found[1]
        from capplan import api
        from capplan.report import build_report

        planned = api.plan(analysis.compilation) if analysis.compilation.plannable else None
        report = (build_report(planned), planned) if planned is not None else (None, None)
        self.reports[analysis.root] = (self.generation, report)
        return report


server = CapServer()


def _doc_uri(diagnostic: Diagnostic) -> str | None:
    from capplan.diagnostics.codes import lookup

    code = lookup(diagnostic.code)
    return doc_path_uri(code) if code is not None else None


def _publish(ls: CapServer, analysis: Analysis, diagnostics: list[Diagnostic]) -> None:
    grouped = analysis.diagnostics_by_file(sorted(diagnostics, key=Diagnostic.sort_key))
    previous = ls.published.get(analysis.root, set())
    for path in previous - set(grouped):
        grouped[path] = []
    for path, found in grouped.items():
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=path_uri(path),
                diagnostics=[quickfix.to_lsp(d, _doc_uri(d)) for d in found],
            )
        )
    ls.published[analysis.root] = {p for p, found in grouped.items() if found}


async def _check(ls: CapServer, path: Path, delay: float) -> None:
    await asyncio.sleep(delay)
    generation = ls.generation
    analysis = await ls.run(lambda: ls.analysis(path))
    if analysis is None or generation != ls.generation:
        return
    _publish(ls, analysis, list(analysis.compilation.diagnostics))
    if not analysis.compilation.plannable:
        return
    _, planned = await ls.run(lambda: ls.report(analysis))
    if planned is not None and generation == ls.generation:
        _publish(ls, analysis, list(planned.diagnostics))


def _schedule(ls: CapServer, path: Path, delay: float) -> None:
    ls.generation += 1
    task = ls.pending.pop(path, None)
    if task is not None:
        task.cancel()
    ls.pending[path] = asyncio.ensure_future(_check(ls, path, delay))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: CapServer, params: types.DidOpenTextDocumentParams) -> None:
    path = uri_path(params.text_document.uri)
    ls.state.open(path, params.text_document.text)
    _schedule(ls, path, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: CapServer, params: types.DidChangeTextDocumentParams) -> None:
    document = ls.workspace.get_text_document(params.text_document.uri)
    path = uri_path(params.text_document.uri)
    ls.state.open(path, document.source)
    _schedule(ls, path, DEBOUNCE)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: CapServer, params: types.DidSaveTextDocumentParams) -> None:
    _schedule(ls, uri_path(params.text_document.uri), 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: CapServer, params: types.DidCloseTextDocumentParams) -> None:
    path = uri_path(params.text_document.uri)
    ls.state.close(path)
    _schedule(ls, path, 0)


@server.feature(types.INITIALIZE)
def initialize(ls: CapServer, params: types.InitializeParams) -> None:
    folders = [uri_path(f.uri) for f in params.workspace_folders or []]
    if not folders and params.root_uri:
        folders = [uri_path(params.root_uri)]
    ls.state.folders = [Path(os.path.realpath(f)) for f in folders]


def _text(ls: CapServer, uri: str) -> str:
    return ls.workspace.get_text_document(uri).source


def _where(ls: CapServer, uri: str, at: types.Position) -> tuple[Path, int]:
    return Path(os.path.realpath(uri_path(uri))), offset(_text(ls, uri), at)


def _symbol_at(ls: CapServer, path: Path, at: int) -> tuple[Analysis, Symbol] | None:
    """The program's analysis and the symbol declared or referenced at the cursor, if any."""
    analysis = ls.analysis(path)
    symbol = analysis.at(path, at) if analysis else None
    return None if analysis is None or symbol is None else (analysis, symbol)


async def _on_symbol(
    ls: CapServer,
    document: types.TextDocumentIdentifier,
    position: types.Position,
    answer: Callable[[Analysis, Symbol], T],
    nothing: T,
) -> T:
    """`answer` about the symbol at the cursor, on a worker thread; `nothing` off a symbol."""
    path, at = _where(ls, document.uri, position)

    def work() -> T:
        found = _symbol_at(ls, path, at)
        return nothing if found is None else answer(*found)

    return await ls.run(work)


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def hover(ls: CapServer, params: types.HoverParams) -> types.Hover | None:
    path, at = _where(ls, params.text_document.uri, params.position)

    def work() -> str | None:
        analysis = ls.analysis(path)
        if analysis is None:
            return None
        report, _ = ls.report(analysis)
        return hover_text.hover(analysis, path, at, report)

    text = await ls.run(work)
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
async def definition(ls: CapServer, params: types.DefinitionParams) -> types.Location | None:
    def answer(_: Analysis, symbol: Symbol) -> types.Location | None:
        return navigation.location(symbol.source, symbol.name_start, symbol.name_end)

    return await _on_symbol(ls, params.text_document, params.position, answer, None)


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
async def references(ls: CapServer, params: types.ReferenceParams) -> list[types.Location]:

    def answer(analysis: Analysis, symbol: Symbol) -> list[types.Location]:
        return navigation.references(analysis, symbol, params.context.include_declaration)

    return await _on_symbol(ls, params.text_document, params.position, answer, [])


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
async def prepare_rename(
    ls: CapServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder | None:
    path, at = _where(ls, params.text_document.uri, params.position)

    def work() -> types.PrepareRenamePlaceholder | None:
        found = _symbol_at(ls, path, at)
        if found is None:
            return None
        analysis, symbol = found
        spots = [(r.source, r.start, r.end) for r in analysis.references_to(symbol.key)]
        spots.append((symbol.source, symbol.name_start, symbol.name_end))
        for source, start, end in spots:
            if source.path == path and start <= at <= end:
                spot = navigation.location(source, start, end)
                assert spot is not None
                return types.PrepareRenamePlaceholder(
                    range=spot.range, placeholder=source.text[start:end]
                )
        return None

    return await ls.run(work)


@server.feature(types.TEXT_DOCUMENT_RENAME)
async def rename(ls: CapServer, params: types.RenameParams) -> types.WorkspaceEdit | None:

    def answer(analysis: Analysis, symbol: Symbol) -> types.WorkspaceEdit | None:
        return navigation.rename(analysis, symbol, params.new_name)

    return await _on_symbol(ls, params.text_document, params.position, answer, None)


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[".", "=", " "]),
)
async def completion(ls: CapServer, params: types.CompletionParams) -> types.CompletionList:
    path, at = _where(ls, params.text_document.uri, params.position)
    text = _text(ls, params.text_document.uri)

    def work() -> list[types.CompletionItem]:
        latest = ls.latest.get(path)  # a completion does not wait for a fresh check
        analysis = latest[1] if latest else ls.analysis(path)
        return completions.completions(analysis, text, at)

    return types.CompletionList(is_incomplete=False, items=await ls.run(work))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(ls: CapServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    return quickfix.quick_fixes(params.text_document.uri, list(params.context.diagnostics))


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def document_symbol(
    ls: CapServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol]:
    text = _text(ls, params.text_document.uri)
    path = uri_path(params.text_document.uri)

    def work() -> list[types.DocumentSymbol]:
        source, parsed = ls.state.cache(SourceFile(str(path), text, path))
        return navigation.document_symbols(parsed.file.items, source)

    return await ls.run(work)


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
async def formatting(
    ls: CapServer, params: types.DocumentFormattingParams
) -> list[types.TextEdit] | None:
    text = _text(ls, params.text_document.uri)
    result = await ls.run(lambda: format_text(text, str(uri_path(params.text_document.uri))))
    if not result.ok or result.text == text:
        return [] if result.ok else None
    source = SourceFile("", text)
    whole = lsp_range(source, 0, len(text))
    return [types.TextEdit(range=whole, new_text=result.text)]


@server.feature(
    types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
    types.SemanticTokensLegend(
        token_types=tokens.TOKEN_TYPES, token_modifiers=tokens.TOKEN_MODIFIERS
    ),
)
async def semantic_tokens(
    ls: CapServer, params: types.SemanticTokensParams
) -> types.SemanticTokens:
    text = _text(ls, params.text_document.uri)
    path = Path(os.path.realpath(uri_path(params.text_document.uri)))

    def work() -> list[int]:
        latest = ls.latest.get(path)
        names = set(latest[1].symbols) if latest else set()
        source, parsed = ls.state.cache(SourceFile(str(path), text, path))
        comments = [(c.start, c.end) for c in scan_comments(text)]
        return tokens.semantic_tokens(source, parsed.file.items, comments, names)

    return types.SemanticTokens(data=await ls.run(work))


def main() -> None:
    """Serve on stdio. The protocol gets a private copy of fd 1 and fd 1 itself points at
    stderr, so nothing else the process prints (a solver's banner) can corrupt the stream."""
    # sys.stdout, not fd 1: under `cli.main` the document already has its own descriptor
    # (capplan.streams) and fd 1 points at stderr.
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    server.start_io(stdin=sys.stdin.buffer, stdout=protocol_out)
