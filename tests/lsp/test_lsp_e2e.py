"""`capplan lsp` as a real process (pytest-lsp): every feature on the example and on errors.

The example tree is copied to a temporary workspace so that edits and renames
never touch the repository.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from capplan.api import compile_file
from tests.conftest import EXAMPLES

pytestmark = pytest.mark.asyncio(loop_scope="module")

ERRORS_MAIN = """\
import "catalogue.cap"

plan p { start = 2026-01-01  end = 2026-12-31 }
site narvik { power = 20 MW  hall a { positions = 100  cooling = liquid } }
lot l1 { supplier = nvidia  rack_type = gb300  racks = 10  to = narvk  arrive = 2026-03-02 }
site dup { power = 5 mW }
pop gb300 { country = NO }
"""
ERRORS_CATALOGUE = """\
supplier nvidia { supplies = gpus  lead_time = 26w }
rack_type gb300 { gpus = 72  power = 132 kW  cooling = liquid }
"""


def _workspace(root: Path) -> Path:
    shutil.copytree(EXAMPLES, root / "examples")
    errors = root / "errors"
    errors.mkdir()
    (errors / "main.cap").write_text(ERRORS_MAIN, encoding="utf-8")
    (errors / "catalogue.cap").write_text(ERRORS_CATALOGUE, encoding="utf-8")
    return root


WORKSPACE = _workspace(Path(__import__("tempfile").mkdtemp(prefix="capplan-lsp-")))
EX = WORKSPACE / "examples"
ERR = WORKSPACE / "errors"


CAPABILITIES: list[types.ServerCapabilities] = []


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "capplan", "lsp"]),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        workspace_folders=[types.WorkspaceFolder(uri=WORKSPACE.as_uri(), name="ws")],
    )
    result = await lsp_client.initialize_session(params)
    CAPABILITIES.append(result.capabilities)
    yield
    await lsp_client.shutdown_session()


def uri(path: Path) -> str:
    return path.resolve().as_uri()


def doc(path: Path) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri(path))


def at(path: Path, needle: str, plus: int = 0, nth: int = 0) -> types.Position:
    """The position of the `nth` occurrence of `needle` in the file, `plus` characters in."""
    text = path.read_text(encoding="utf-8")
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    index += plus
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


def open_file(client: LanguageClient, path: Path) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri(path), language_id="capplan", version=1, text=path.read_text()
            )
        )
    )


async def wait_for(
    client: LanguageClient, path: Path, ready: Callable[[list[types.Diagnostic]], bool]
) -> list[types.Diagnostic]:
    for _ in range(600):
        found = list(client.diagnostics.get(uri(path), []))
        if uri(path) in client.diagnostics and ready(found):
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"no such diagnostics for {path.name}: {client.diagnostics.get(uri(path))}"
    )


def codes(found: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in found)


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII text: columns are characters) from the last to the first."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    spans = [
        (
            offsets[e.range.start.line] + e.range.start.character,
            offsets[e.range.end.line] + e.range.end.character,
            e.new_text,
        )
        for e in edits
    ]
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


# -- diagnostics ----------------------------------------------------------------------


async def test_example_diagnostics_across_imports_with_related(client: LanguageClient) -> None:
    # Opening one imported file checks its whole program (the root nscale-2026.cap):
    # every file of the program gets its list, and the plan's W302 lands in sites-norway.cap
    # with the related location of the power step the racks wait for.
    norway = EX / "nscale" / "sites-norway.cap"
    open_file(client, norway)
    found = await wait_for(client, norway, lambda d: "W302" in codes(d))
    assert codes(found) == ["W302"]
    w302 = found[0]
    assert w302.severity == types.DiagnosticSeverity.Warning
    assert "narvik_msft_t1" in w302.message
    assert w302.related_information is not None
    assert w302.related_information[0].message == "racks go live 2026-06-01 when this step arrives"
    assert w302.code_description is not None
    assert w302.code_description.href.endswith(
        "diagnostics.md#w302--racks-waited-before-going-live"
    )
    uk = await wait_for(client, EX / "nscale" / "sites-uk.cap", lambda d: "W302" in codes(d))
    assert codes(uk) == ["W302"]  # loughton_p1 waits for positions
    assert await wait_for(client, EX / "nscale" / "catalogue.cap", lambda d: True) == []


async def test_error_file_diagnostics_and_related_in_the_imported_file(
    client: LanguageClient,
) -> None:
    main = ERR / "main.cap"
    open_file(client, main)
    found = await wait_for(client, main, lambda d: "E203" in codes(d))
    # narvk (E203), 5 mW (E103), pop gb300 duplicates the rack type in catalogue.cap (E202)
    assert codes(found) == ["E103", "E202", "E203"]
    duplicate = next(d for d in found if d.code == "E202")
    assert duplicate.related_information is not None
    related = duplicate.related_information[0]
    assert related.location.uri == uri(ERR / "catalogue.cap")
    assert related.location.range.start == types.Position(line=1, character=10)
    unknown = next(d for d in found if d.code == "E203")
    assert unknown.range.start == at(main, "narvk")
    assert "did you mean `narvik`?" in unknown.message


async def test_diagnostics_follow_typing(client: LanguageClient) -> None:
    # Three quick edits: the debounced check reports the state after the last one.
    path = ERR / "typing.cap"
    path.write_text("pop p { country = NO }\n", encoding="utf-8")
    open_file(client, path)
    await wait_for(client, path, lambda d: d == [])
    for version, text in enumerate(
        ["pop p { countr = NO }\n", "pop p { countryy = NO }\n", "pop p { coutry = NO }\n"],
        start=2,
    ):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
    found = await wait_for(client, path, lambda d: "E200" in codes(d))
    assert "`coutry`" in found[0].message


# -- hover --------------------------------------------------------------------------------


async def hover_text(client: LanguageClient, path: Path, where: types.Position) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=doc(path), position=where)
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover_reference_shows_the_declaration_and_usable_power(
    client: LanguageClient,
) -> None:
    root = EX / "nscale-2026.cap"
    open_file(client, root)
    text = await hover_text(client, root, at(root, "site      = narvik", plus=13))
    assert text.startswith("**site** `narvik` — examples/nscale/sites-norway.cap:18")
    assert "Stargate Norway, Kvandal near Narvik" in text
    # 20 MW x (1 - 5%) / 1.10 = 17.2727 MW; 230 MW x 0.95 / 1.10 = 198.636 MW
    assert "from 2025-12-01: 20 MW envelope, usable IT 17.273 MW (x 95% / PUE 1.10)" in text
    assert "from 2026-06-01: 230 MW envelope, usable IT 198.636 MW" in text


async def test_hover_quantity_shows_the_canonical_value(client: LanguageClient) -> None:
    catalogue = EX / "nscale" / "catalogue.cap"
    text = await hover_text(client, catalogue, at(catalogue, "= 132 kW", plus=3))
    assert text.startswith("`power = 132 kW`: power, 132,000 W")
    text = await hover_text(client, catalogue, at(catalogue, "26w", plus=1))
    assert text == "`gpu_lead_time = 26w`: duration, 182 days"  # 26 x 7


async def test_hover_lot_and_commitment_show_plan_figures(client: LanguageClient) -> None:
    norway = EX / "nscale" / "sites-norway.cap"
    text = await hover_text(client, norway, at(norway, "lot narvik_msft_t1", plus=5))
    # 18 racks fit the 20 MW phase at once; the other 142 wait for the 230 MW step.
    assert "Go-live:" in text
    assert "- 2026-06-01: " in text
    assert "mainly site power" in text
    root = EX / "nscale-2026.cap"
    text = await hover_text(client, root, at(root, "commitment openai_narvik", plus=12))
    assert "- 2026-03-31: " in text and "of 8,000 GPUs live — met" in text


# -- navigation ------------------------------------------------------------------------


async def test_definition_and_references_across_imports(client: LanguageClient) -> None:
    norway = EX / "nscale" / "sites-norway.cap"
    where = at(norway, "supplier  = nvidia", plus=13)
    found = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(norway), position=where)
    )
    assert isinstance(found, types.Location)
    catalogue = EX / "nscale" / "catalogue.cap"
    assert found.uri == uri(catalogue)
    assert found.range.start == at(catalogue, "supplier nvidia", plus=9)
    refs = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(norway),
            position=where,
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    files = {r.uri.rsplit("/", 1)[-1] for r in refs}
    assert files == {"catalogue.cap", "sites-norway.cap", "sites-uk.cap", "sites-portugal.cap"}
    expected = sum(
        (EX / "nscale" / name).read_text().count("= nvidia")
        for name in ("sites-norway.cap", "sites-uk.cap", "sites-portugal.cap")
    )
    assert len(refs) == expected + 1  # every `= nvidia`, and the declaration


async def test_document_symbols(client: LanguageClient) -> None:
    norway = EX / "nscale" / "sites-norway.cap"
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc(norway))
    )
    assert symbols is not None
    names = [s.name for s in symbols if isinstance(s, types.DocumentSymbol)]
    assert names[:4] == ["nordic_pue", "kvandal_phase2", "narvik", "narvik_openai_p1"]
    narvik = next(s for s in symbols if isinstance(s, types.DocumentSymbol) and s.name == "narvik")
    assert [c.name for c in narvik.children or []] == ["kvandal_a", "kvandal_b", "kvandal_c"]


# -- completion ----------------------------------------------------------------------------


async def complete(client: LanguageClient, path: Path, text: str) -> list[str]:
    """Labels offered at the end of `text`, typed as the file's new last lines."""
    base = path.read_text(encoding="utf-8")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=50),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=base + text)],
        )
    )
    full = base + text
    line = full.count("\n")
    column = len(full) - (full.rfind("\n") + 1)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=doc(path), position=types.Position(line=line, character=column)
        )
    )
    assert isinstance(result, types.CompletionList)
    return [item.label for item in result.items]


async def test_completion(client: LanguageClient) -> None:
    path = EX / "nscale-2026.cap"
    kinds = await complete(client, path, "\n")
    assert {"site", "lot", "commitment", "import", "const"} <= set(kinds)
    names = await complete(client, path, "\nlot l9 {\n  ")
    assert {"supplier", "rack_type", "racks", "to", "arrive", "description"} <= set(names)
    assert "pue" not in names  # a site's attribute, not a lot's
    suppliers = await complete(client, path, "\nlot l9 {\n  supplier = ")
    assert {"nvidia", "dell", "nokia"} <= set(suppliers)
    assert "narvik" not in suppliers  # a site is not a supplier
    targets = await complete(client, path, "\nlot l9 {\n  to = nar")
    assert {"narvik", "narvik.kvandal_a"} <= set(targets)
    units = await complete(client, path, "\nsite s9 {\n  power = 20 ")
    assert {"W", "kW", "MW", "GW"} == set(units)
    cooling = await complete(client, path, "\nrack_type r9 {\n  cooling = ")
    assert {"air", "liquid"} <= set(cooling)
    restore(client, path)


def restore(client: LanguageClient, path: Path) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri(path), version=99),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=path.read_text())],
        )
    )


# -- editing: rename, quick fix, formatting ---------------------------------------------


async def test_rename_across_imports(client: LanguageClient) -> None:
    catalogue = EX / "nscale" / "catalogue.cap"
    open_file(client, catalogue)
    where = at(catalogue, "rack_type gb300_nvl72", plus=12)
    prepared = await client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(catalogue), position=where)
    )
    assert isinstance(prepared, types.PrepareRenamePlaceholder)
    assert prepared.placeholder == "gb300_nvl72"
    edit = await client.text_document_rename_async(
        types.RenameParams(text_document=doc(catalogue), position=where, new_name="gb300")
    )
    assert edit is not None and edit.changes is not None
    files = {u.rsplit("/", 1)[-1] for u in edit.changes}
    assert {"catalogue.cap", "sites-norway.cap", "sites-uk.cap", "nscale-2026.cap"} <= files
    before = compile_file(EX / "nscale-2026.cap")
    for changed_uri, edits in edit.changes.items():
        path = Path(changed_uri.removeprefix("file://"))
        path.write_text(apply(path.read_text(), edits), encoding="utf-8")
    after = compile_file(EX / "nscale-2026.cap")
    assert after.model is not None and before.model is not None
    assert "gb300" in after.model.rack_types and "gb300_nvl72" not in after.model.rack_types
    assert codes_of(after) == codes_of(before) == []  # every reference followed the rename
    assert "gb300_nvl72" not in "".join(p.read_text() for p in EX.rglob("nscale*/**/*.cap"))


def codes_of(compilation: object) -> list[str]:
    return [d.code for d in compilation.diagnostics]  # type: ignore[attr-defined]


async def test_quick_fix_replaces_a_misspelt_name(client: LanguageClient) -> None:
    main = ERR / "main.cap"
    found = await wait_for(client, main, lambda d: "E203" in codes(d))
    unknown = next(d for d in found if d.code == "E203")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc(main),
            range=unknown.range,
            context=types.CodeActionContext(diagnostics=[unknown]),
        )
    )
    assert actions is not None
    action = actions[0]
    assert isinstance(action, types.CodeAction)
    assert action.title == "Replace `narvk` with `narvik`"
    assert action.kind == types.CodeActionKind.QuickFix
    assert action.edit is not None and action.edit.changes is not None
    fixed = apply(main.read_text(), action.edit.changes[uri(main)])
    assert "to = narvik  arrive" in fixed
    main.write_text(fixed, encoding="utf-8")
    assert "E203" not in codes_of(compile_file(main))


async def test_quick_fix_for_a_unit(client: LanguageClient) -> None:
    main = ERR / "main.cap"
    found = await wait_for(client, main, lambda d: "E103" in codes(d))
    unit = next(d for d in found if d.code == "E103")
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc(main),
            range=unit.range,
            context=types.CodeActionContext(diagnostics=[unit]),
        )
    )
    assert actions is not None and isinstance(actions[0], types.CodeAction)
    assert actions[0].title == "Replace `mW` with `MW`"


async def test_formatting(client: LanguageClient) -> None:
    path = ERR / "messy.cap"
    path.write_text("pop p {country=NO}\n", encoding="utf-8")
    open_file(client, path)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=doc(path), options=types.FormattingOptions(tab_size=2, insert_spaces=True)
        )
    )
    assert edits is not None
    assert apply(path.read_text(), edits) == "pop p { country = NO }\n"


async def test_semantic_tokens(client: LanguageClient) -> None:
    path = ERR / "tokens.cap"
    path.write_text("site s {  # c\n  power = 5 MW\n  cooling = liquid\n}\n", encoding="utf-8")
    open_file(client, path)
    await wait_for(client, path, lambda d: True)
    provider = CAPABILITIES[0].semantic_tokens_provider
    assert isinstance(provider, types.SemanticTokensOptions)
    types_ = provider.legend.token_types
    result = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(text_document=doc(path))
    )
    assert result is not None
    data = result.data
    decoded = []
    line = column = 0
    for index in range(0, len(data), 5):
        delta_line, delta_col, length, kind, _ = data[index : index + 5]
        line += delta_line
        column = column + delta_col if delta_line == 0 else delta_col
        decoded.append((line, column, length, types_[kind]))
    assert decoded == [
        (0, 0, 4, "keyword"),  # site
        (0, 5, 1, "class"),  # s
        (0, 10, 3, "comment"),  # # c
        (1, 2, 5, "property"),  # power
        (1, 10, 4, "number"),  # 5 MW
        (2, 2, 7, "property"),  # cooling
        (2, 12, 6, "enumMember"),  # liquid: a word, not a declaration
    ]
