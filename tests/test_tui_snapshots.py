"""Snapshots of rkt-tui's main states in two themes, from the same tour as README's.

Regenerate after a deliberate change of look with:
    .venv/bin/pytest tests/test_tui_snapshots.py --snapshot-update
and look at every changed SVG before committing it.
"""

import pytest

from rkttui.tour import SIZE, STATES, app_for, reach

pytestmark = pytest.mark.usefixtures("own_settings")


@pytest.mark.parametrize("theme", ["rkt-night", "rkt-contrast"])
@pytest.mark.parametrize("state", list(STATES))
def test_the_screen_looks_as_approved(snap_compare, state, theme):
    async def steps(pilot):
        await reach(pilot, state)

    assert snap_compare(app_for(state, theme), run_before=steps,
                        terminal_size=SIZE)
