"""The command line's standard streams: stdout carries the command's document and nothing else.

C code in a library (a solver's banner, a native extension's warning) writes to file
descriptor 1 directly, below Python's `sys.stdout`, where no Python-level redirection
sees it. So the CLI gives the document a private duplicate of fd 1 and points fd 1
itself at stderr: whatever else gets printed lands where diagnostics go, never inside
the JSON, Markdown or DOT a pipeline reads (the idea of Terraform's terminal.Streams).

A reader that closes the pipe early (`capplan plan F | head -3`) ends capplan the way
it ends any Unix filter: killed by SIGPIPE, silently, so the shell reports its usual
status (141) instead of an error.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
from typing import TYPE_CHECKING, NoReturn, TextIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class PipeClosed(BaseException):
    """The reader of stdout or stderr went away: the end of the run, not an error.

    A BaseException so that no `except Exception` (nor click's EPIPE handler, which
    exits 1) mistakes it for a failure of the command.
    """


class _Pipe(io.FileIO):
    """A descriptor whose writes report a closed reader as `PipeClosed`.

    At the raw level, so every layer above (text wrapper, buffer, click's own wrappers
    around `sys.stdout.buffer`) reports it the same way.
    """

    def write(self, data: ReadableBuffer, /) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise PipeClosed from None


def _text(fd: int, like: TextIO, closefd: bool) -> TextIO:
    """A text stream on `fd` that encodes and buffers as `like` does."""
    return io.TextIOWrapper(
        io.BufferedWriter(_Pipe(fd, "w", closefd=closefd)),
        encoding=like.encoding,
        errors=like.errors,
        line_buffering=bool(like.line_buffering),
        write_through=getattr(like, "write_through", False),
    )


def own() -> None:
    """Move the document to a private descriptor and point fd 1 at stderr.

    After this, `sys.stdout` is the only way to the caller's stdout. When fd 1 is closed
    (`capplan … >&-`) there is nothing to protect; the CLI then refuses (exit 2).
    """
    if sys.stderr is None:  # fd 2 closed at start-up: messages go nowhere, but do not crash
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        document = os.dup(1)
    except OSError:
        return
    errors = sys.stderr.fileno()
    try:
        os.dup2(errors, 1)
    except OSError:  # no stderr: stray output goes nowhere
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    sys.stdout = _text(document, sys.stdout, closefd=True)
    sys.stderr = _text(errors, sys.stderr, closefd=False)


def flush() -> None:
    """Flush both streams now, so that a closed reader is seen while it can be handled."""
    sys.stdout.flush()
    sys.stderr.flush()


def die_of_sigpipe() -> NoReturn:
    """End as a pipeline's writer ends when its reader has gone: by SIGPIPE, silently."""
    with contextlib.suppress(PipeClosed):
        sys.stderr.flush()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)
    os._exit(128 + signal.SIGPIPE)  # not reached: the signal ends the process
