"""Finding and running templates: built-in ones, overlaid by a user's `--templates DIR`.

Layout: `<templates>/<target>/<path>.j2` renders to `<out>/<target>/<path>`. A path
segment may hold placeholders: `{site}` renders the template once per site (with
`site` bound, and replaced by the site's `k8s_name`), `{product}` (only below
`{site}`) once per GPU product live at that site, `{commitment}` (only below `{site}`)
once per commitment whose scope includes that site. Files whose name starts with `_`,
and folders whose name starts with `_`, are partials for `include`/`import`, not
output. A user directory is searched first, file by file, so it can replace one
built-in template, add files to a built-in target, or add a new target.

Every template runs in Jinja's sandbox (a user template cannot reach Python
internals) with `StrictUndefined` (a typo is an error, not an empty string) and a
`finalize` hook that refuses to print a plain string: text must come through a
serialiser filter (see :mod:`capplan.render.serialise`). An HTML template
(`*.html.j2`) is autoescaped instead: there a plain string prints, HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
    Undefined,
    pass_eval_context,
)
from jinja2.loaders import split_template_path
from jinja2.nodes import EvalContext
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel

from capplan.render import serialise
from capplan.render.context import (
    CommitmentLevel,
    GpuProduct,
    RenderContext,
    Site,
)
from capplan.render.helpers import site_commitments, template_globals
from capplan.render.outcome import Problem
from capplan.render.serialise import Serialised, TemplateDataError
from capplan.resources import data_dir

TEMPLATE_SUFFIX = ".j2"
MAX_TEMPLATE_BYTES = 1024 * 1024
"""A template larger than this is refused (a built-in one is a few KB)."""
PLACEHOLDERS = ("site", "product", "commitment")
_TARGET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.{}-]+$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplatePathError(ValueError):
    """A template's file name cannot be turned into a safe output path."""


class ConfinedLoader(FileSystemLoader):
    """A FileSystemLoader that reads only regular files inside its own folder.

    A `--templates` folder comes from a pull request: a symlink in it may point at any
    file (`/etc/passwd`, a key), a FIFO would block and `/dev/zero` never ends. Before
    Jinja reads a template, its real path (symlinks resolved) must lie inside the real
    path of the folder, and it must be a regular file of at most MAX_TEMPLATE_BYTES.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for searchpath in self.searchpath:
            candidate = os.path.join(searchpath, *pieces)
            if os.path.lexists(candidate):
                _check_confined(searchpath, candidate, template)
                break
        return super().get_source(environment, template)


def _check_confined(folder: str, path: str, template: str) -> None:
    real, root = os.path.realpath(path), os.path.realpath(folder)
    if os.path.commonpath([real, root]) != root:
        raise TemplateError(f"{template} is a symlink to a file outside the templates folder")
    info = os.stat(real)
    if not stat.S_ISREG(info.st_mode):
        raise TemplateError(f"{template} is not a regular file")
    if info.st_size > MAX_TEMPLATE_BYTES:
        raise TemplateError(f"{template} is larger than {MAX_TEMPLATE_BYTES} bytes")


def builtin_templates_dir() -> Path:
    """The built-in templates: package data in a wheel, the repo's folder in a checkout."""
    return data_dir("templates")


HTML_TEMPLATE_SUFFIX = ".html.j2"


def _autoescape(name: str | None) -> bool:
    """HTML templates are autoescaped: HTML has one escaping rule for all its text."""
    return name is not None and name.endswith(HTML_TEMPLATE_SUFFIX)


@pass_eval_context
def _finalize(eval_ctx: EvalContext, value: Any) -> Any:
    """Let through only values whose text cannot carry syntax.

    Serialiser output, numbers and dates print; a plain string (or list, dict, None,
    bool) would be pasted as raw text into YAML/CSV/Markdown, so it is an error that
    names the fix. In an autoescaped (HTML) template a string prints, since Jinja
    escapes it next. Undefined values pass on so StrictUndefined can report them.
    """
    if isinstance(value, Serialised | Undefined):
        return value
    if eval_ctx.autoescape and isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        raise TemplateDataError(
            f"refusing to print {value!r}: use a filter such as to_yaml, md or conf_word"
        )
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    raise TemplateDataError(
        f"refusing to print a plain {type(value).__name__} ({str(value)[:40]!r}): pass it "
        "through a serialiser filter (to_yaml, to_json, to_csv, md, mermaid, conf_word, ...)"
    )


FILTERS: Mapping[str, Callable[..., Any]] = {
    "to_yaml": serialise.to_yaml,
    "to_json": serialise.to_json,
    "to_csv": serialise.to_csv,
    "md": serialise.md,
    "mermaid": serialise.mermaid,
    "mermaid_list": serialise.mermaid_list,
    "html": serialise.html_text,
    "url_path": serialise.url_path,
    "fenced": serialise.fenced,
    "fixed": serialise.fixed,
    "comment": serialise.comment,
    "conf_word": serialise.conf_word,
    "conf_list": serialise.conf_list,
    "hostlist": serialise.hostlist,
    "k8s_name": serialise.k8s_name,
    "k8s_label_value": serialise.k8s_label_value,
}


def _data_fields(cls: type) -> frozenset[str]:
    """Fields of capplan's frozen render models (the context and template helpers' rows).

    Derived from the class, so a model added to the context gets the fast path without
    being listed anywhere; every other type gets none.
    """
    if (
        issubclass(cls, BaseModel)
        and cls.model_config.get("frozen")
        and cls.__module__.startswith("capplan.render.")
    ):
        return frozenset(cls.model_fields) | frozenset(cls.model_computed_fields)
    return frozenset()


_DATA_FIELDS: dict[type, frozenset[str]] = {}
"""``_data_fields`` per type met so far (a dict read is the cheapest check per access)."""


class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, with a fast path for reading fields of the context models.

    A field or computed field of a frozen context model is plain data, so reading it
    needs none of the sandbox's per-access checks (which dominate the render time of a
    100,000-GPU plan). Every other attribute, including the models' methods, takes
    the normal sandbox path.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        fields = _fields_of(obj)
        if attribute in fields:
            return read_only(getattr(obj, attribute))
        value = super().getattr(obj, attribute)
        return read_only(value) if fields else value

    def getitem(self, obj: Any, argument: Any) -> Any:
        value = super().getitem(obj, argument)
        return read_only(value) if _fields_of(obj) else value


def _fields_of(obj: Any) -> frozenset[str]:
    cls = type(obj)
    fields = _DATA_FIELDS.get(cls)
    if fields is None:
        fields = _DATA_FIELDS[cls] = _data_fields(cls)
    return fields


def read_only(value: Any) -> Any:
    """A view of a context value that a template cannot change.

    The context models are frozen, but a dict or list inside one is not: without this,
    `{% do ctx.plan.labels.update(...) %}` in one template would change what every
    later template sees. Dicts become read-only mapping views, lists and sets tuples
    and frozensets; a template's own lists and dicts stay mutable.
    """
    if isinstance(value, dict):
        return MappingProxyType(value)
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, set):
        return frozenset(value)
    return value


def _make_environment(loader: BaseLoader) -> SandboxedEnvironment:
    """The one environment all templates run in (sandboxed, strict, autoescape for HTML)."""
    env = _Sandbox(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=_autoescape,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
    )
    # Looked up at render time (not bound here) so that tests can patch a serialiser.
    env.filters.update({name: _late_bound(function) for name, function in FILTERS.items()})
    env.globals.update(template_globals())
    return env


def _late_bound(function: Callable[..., Any]) -> Callable[..., Any]:
    module, name = serialise, function.__name__

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(module, name)(*args, **kwargs)

    call.__name__ = name
    call.__doc__ = function.__doc__
    return call


@dataclass(frozen=True)
class TemplateSet:
    """The effective templates: user directory (if any) over the built-in one."""

    roots: tuple[Path, ...]
    env: SandboxedEnvironment

    @classmethod
    def load(cls, user_dir: Path | None) -> TemplateSet:
        roots = (user_dir, builtin_templates_dir()) if user_dir else (builtin_templates_dir(),)
        loader = ChoiceLoader([ConfinedLoader(str(root)) for root in roots])
        return cls(roots=roots, env=_make_environment(loader))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """All template file names (`/`-separated), user and built-in, sorted."""
        found: set[str] = set()
        for root in self.roots:
            found.update(FileSystemLoader(str(root)).list_templates())
        return tuple(sorted(found))

    def targets(self) -> list[str]:
        """Targets: top-level folders holding at least one renderable template."""
        return sorted({name.split("/", 1)[0] for name in self.names if _is_output(name)})

    def output_templates(self, target: str) -> list[str]:
        """The renderable templates of `target`, sorted."""
        return [n for n in self.names if n.startswith(f"{target}/") and _is_output(n)]

    def digest(self, target: str) -> str:
        """sha256 over the effective sources of a target and the shared `_*` folders.

        Recorded in the provenance so that output can be traced to the templates that
        made it (built-in templates change with capplan versions; user ones do not).
        """
        digest = hashlib.sha256()
        for name in self.names:
            first = name.split("/", 1)[0]
            if first == target or first.startswith("_"):
                source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
                digest.update(name.encode() + b"\0" + source.encode() + b"\0")
        return digest.hexdigest()


def _is_output(name: str) -> bool:
    """A template that makes a file: `<target>/.../<file>.j2`, no `_` part, no dot folder."""
    parts = name.split("/")
    return (
        len(parts) >= 2
        and name.endswith(TEMPLATE_SUFFIX)
        and not any(part.startswith(("_", ".")) for part in parts)
    )


def check_target_name(target: str) -> bool:
    """Targets are folder names in the output: keep them plain."""
    return bool(_TARGET_NAME.match(target))


@dataclass(frozen=True)
class RenderedText:
    """The text one template produced for one expansion, before headers and checks."""

    path: str
    template: str
    text: str


def render_target(
    templates: TemplateSet, context: RenderContext, target: str
) -> tuple[list[RenderedText], list[Problem]]:
    """Render every template of a target for every expansion of its placeholders."""
    rendered: list[RenderedText] = []
    problems: list[Problem] = []
    for name in templates.output_templates(target):
        try:
            placeholders = _placeholders(name)
        except TemplatePathError as error:
            problems.append(Problem("template-path", str(error), path=name))
            continue
        try:
            template = templates.env.get_template(name)
        except TemplateSyntaxError as error:
            problems.append(
                Problem("template-error", error.message or str(error), name, error.lineno)
            )
            continue
        except Exception as error:  # unreadable file, bad encoding, ...
            problems.append(Problem("template-error", _describe(error), path=name))
            continue
        for variables in _expansions(placeholders, context):
            path = _output_path(name, variables)
            try:
                text = template.render(ctx=context, plan=context.plan, **variables)
            except Exception as error:  # any failure in a template is a user-facing problem
                problems.append(
                    Problem(
                        "template-error", _describe(error), name, _template_line(error, template)
                    )
                )
                continue
            rendered.append(RenderedText(path=path, template=name, text=text))
    return rendered, problems


def _placeholders(name: str) -> tuple[str, ...]:
    """Validate a template's path and return the placeholders it uses."""
    segments = name[: -len(TEMPLATE_SUFFIX)].split("/")
    found: list[str] = []
    for segment in segments:
        if segment in {"", ".", ".."} or not _SEGMENT.match(segment):
            raise TemplatePathError(
                f"path segment {segment!r} must be letters, digits, '_', '.', '-' or placeholders"
            )
        for placeholder in _PLACEHOLDER.findall(segment):
            if placeholder not in PLACEHOLDERS:
                raise TemplatePathError(
                    f"unknown placeholder {{{placeholder}}}: use {{site}}, {{product}} "
                    "or {commitment}"
                )
            found.append(placeholder)
        if _PLACEHOLDER.sub("", segment).count("{") or _PLACEHOLDER.sub("", segment).count("}"):
            raise TemplatePathError(f"unbalanced braces in {segment!r}")
    for below in ("product", "commitment"):
        if below in found and "site" not in found:
            raise TemplatePathError(f"{{{below}}} needs {{site}} in the same path")
    if "product" in found and "commitment" in found:
        raise TemplatePathError("{product} and {commitment} cannot be in one path")
    return tuple(found)


def _expansions(placeholders: Sequence[str], context: RenderContext) -> Iterator[dict[str, Any]]:
    """Variable bindings for each file a template makes (one with no placeholder)."""
    if "site" not in placeholders:
        yield {}
        return
    for site in context.sites:
        if "product" in placeholders:
            for product in site.gpu_products:
                yield {"site": site, "product": product}
        elif "commitment" in placeholders:
            for commitment in site_commitments(context, site):
                yield {"site": site, "commitment": commitment}
        else:
            yield {"site": site}


def _output_path(name: str, variables: Mapping[str, Site | GpuProduct | CommitmentLevel]) -> str:
    """Template name -> output path: drop `.j2`, fill placeholders with k8s names."""
    path = name[: -len(TEMPLATE_SUFFIX)]
    for key, value in variables.items():
        path = path.replace(f"{{{key}}}", value.k8s_name)
    return path


def _describe(error: BaseException) -> str:
    """A one-line message for an exception raised while rendering."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    if isinstance(error, TemplateDataError):
        return str(message)
    return f"{type(error).__name__}: {message}"


def _template_line(error: BaseException, template: Template) -> int | None:
    """The template line being rendered when `error` was raised, if Jinja kept it."""
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename == template.filename or frame.filename == "<template>"
    ]
    return lines[-1] if lines else None


def render_partial(name: str, **variables: Any) -> str:
    """A built-in partial (`plan/_page.md.j2`) rendered with `variables`, as a file's text.

    For the documents `capplan plan` prints from render's templates (one layout for both);
    the text is what `finish` would write, without the generated-file header.
    """
    template = TemplateSet.load(None).env.get_template(name)
    return template.render(**variables).strip("\n") + "\n"
