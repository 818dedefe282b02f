"""Performance helpers shared by the pipeline stages."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a stage allocates many small objects.

    Compiling builds hundreds of thousands of acyclic nodes; letting the collector
    rescan them over and over halves throughput. Reference counting still frees
    everything; the collector is restored (nesting is safe) when the stage ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
