"""The `capplan` fixture: each e2e test runs once as `python -m capplan`, once as the script."""

from __future__ import annotations

from functools import partial

import pytest

from tests.e2e.harness import VIAS, Capplan, Via, console_script, in_ci, run_capplan


def require(via: Via) -> None:
    """Skip (fail under CI=true) when the console script of the installed wheel is missing."""
    if via == "script" and console_script() is None:
        message = (
            "no `capplan` console script beside this Python (install the wheel: pip install .)"
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(params=VIAS)
def capplan(request: pytest.FixtureRequest) -> Capplan:
    via: Via = request.param
    require(via)
    return partial(run_capplan, via=via)
