"""Help and usage errors that read like a manual page, on top of typer.

Help is plain text (`rich_markup_mode=None` on the app): a pipe or `man`-style
pager gets no box drawing, `[dask]` in a help string is not markup, and a usage
error is one `Error: …` line after the usage.

typer names a parameter's Python type in help (`<list[Path]>`, `<bool>`, `{file}`)
and prefixes a bad choice with a validator's "Value error,". Every command is built
with `Command` (and the app with `Group`), which show `FILE`, `[NEW]`, `FILES...`,
a flag without a type, `DATE`/`N`/`DIR`… for values, and a bad choice as
"'xml' is not one of text, json, markdown, html" (docs/cli.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

from typer import BadParameter
from typer._click import Context  # typer vendors click: its Context, not click's
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


class _Argument(TyperArgument):
    """An argument shown by its upper-case name: `FILE`, `[NEW]`, `FILES...`."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return self._plain_name()

    def _usage_display_name(self) -> str:
        name = self._plain_name()
        return name if self.required else f"[{name}]"

    def _plain_name(self) -> str:
        name = (self.metavar or self.name or "").upper()
        return name + ("..." if self.nargs != 1 else "")


class _Option(TyperOption):
    """An option shown with what it takes: nothing for a flag, its choices, or a metavar."""

    def display_type_rich(self, ctx: Context) -> str | None:
        if self.is_flag:
            return None
        if self.metavar is not None:
            return self.metavar
        descriptor = self.type_descriptor
        if descriptor.is_choice:
            return "|".join(str(getattr(c, "value", c)) for c in descriptor.choices or ())
        annotation: Any = descriptor.annotation
        if get_origin(annotation) is list:  # a repeatable option: what one use takes
            (annotation,) = get_args(annotation)
        if descriptor.is_path or _is(annotation, Path):
            return "PATH"
        if descriptor.is_ranged or _is(annotation, int):
            return "N"
        return "TEXT"


def _is(annotation: Any, kind: type) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, kind)


def plain_params(params: list[Any]) -> None:
    """Give typer's parameters the manual-page display (their parsing is unchanged)."""
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = _Argument
        elif type(param) is TyperOption:
            param.__class__ = _Option


def _choice_message(error: BadParameter) -> BadParameter:
    """A bad choice says which values there are, without a validator's prefix."""
    message = error.message.removeprefix("Value error, ")
    param = error.param
    if isinstance(param, TyperOption) and param.type_descriptor.is_choice:
        choices = ", ".join(
            str(getattr(c, "value", c)) for c in param.type_descriptor.choices or ()
        )
        bad = message.split(" is not one of ")[0]
        message = f"{bad} is not one of {choices}"
    error.message = message
    return error


class Command(TyperCommand):
    """A typer command with manual-page help and plain choice errors."""

    def get_params(self, ctx: Context) -> list[Any]:
        params = super().get_params(ctx)
        plain_params(params)  # --help included, which click adds here
        return params

    def get_short_help_str(self, limit: int = 45) -> str:
        """The first line of the docstring, whole: the command list wraps it, never cuts it."""
        text = self.short_help or self.help or ""
        return text.strip().split("\n\n")[0].replace("\n", " ")

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except BadParameter as error:
            raise _choice_message(error) from None


class Group(TyperGroup):
    """The `capplan` group: its own options (`-V`, completion) shown the same way."""

    def get_params(self, ctx: Context) -> list[Any]:
        params = super().get_params(ctx)
        plain_params(params)
        return params
