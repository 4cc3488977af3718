"""A tour of rkt-tui on the demo catalogue: named states, the same every time.

README's screenshots (scripts/screenshots) and the snapshot tests both come
from these states, for a fixed caller (alice, uid 1000) in a fixed directory,
so that they do not depend on who makes them or where.
"""

from pathlib import Path

from rktcore.config import parse
from rktcore.identity import Caller
from rktcore.messages import ConfigError
from textual.widgets import Input

from rkttui.app import RktTui
from rkttui.screens.main import SETTLE_DELAY
from rkttui.site import Site, demo_config, demo_images

CALLER = Caller(1000, 1000, [], "alice", "/home/alice")
CWD = "/home/alice/project"
SIZE = (120, 40)
THEMES = ("rkt-night", "rkt-paper", "rkt-contrast")


def demo_site() -> Site:
    """Return the demo site as alice sees it, with no variables of her own."""
    return Site(demo_config(), CALLER, {}, CWD, demo=True, images=demo_images())


def tour_app(theme: str = "rkt-night") -> RktTui:
    """Return rkt-tui on the demo site, in theme, remembering nothing."""
    return RktTui(demo_site(), demo=True, theme=theme, rkt_run=None,
                  remember=False)


BROKEN = b"""\
rkt = "/usr/bin/rkt"

[alias."bwa-0.7.17"]
imgae = "quay.io/biocontainers/bwa:0.7.17--he4a0461_11"
"""


def broken_app(theme: str = "rkt-night") -> RktTui:
    """Return rkt-tui on a config with a misspelt key, as an admin might write."""
    path = "/etc/rktrunner.toml"
    try:
        parse(path, BROKEN)
    except ConfigError as error:
        problem = str(error)
    return RktTui(None, problem, config_path=path, theme=theme, rkt_run=None,
                  remember=False)


async def catalogue(pilot) -> None:
    """The demo catalogue as it opens."""


async def filtered(pilot) -> None:
    """The catalogue filtered by typing samt after /, once typing has paused."""
    await pilot.press("slash", *"samt")
    await pilot.pause(SETTLE_DELAY * 2)


async def chosen(pilot) -> None:
    """bwa chosen, arguments typed, the project volume on, a variable set."""
    await pilot.press("slash", *"bwa", "enter")
    await pilot.press(*"mem -t 8 /reference/hg38.fa 'reads 1.fq'")
    pilot.app.screen.query_one("#volume-project").value = True
    await pilot.app.screen.query_one("#env-rows").add_row("OMP_NUM_THREADS", "8")
    await pilot.pause()


async def refused(pilot) -> None:
    """The same choice with a variable the site does not allow."""
    await chosen(pilot)
    await pilot.app.screen.query_one("#env-rows").add_row("LD_PRELOAD", "/tmp/x.so")
    await pilot.pause()


async def explained(pilot) -> None:
    """The allowed choice in the explained view: each word with its origin."""
    await chosen(pilot)
    await pilot.press("ctrl+t")


async def run_demo(pilot) -> None:
    """Run in the demo: what would be executed."""
    await pilot.press("slash", *"samtools", "enter", *"flagstat x.bam")
    await pilot.press("ctrl+r")


async def help_screen(pilot) -> None:
    """The help screen."""
    await pilot.press("f1")


async def broken_config(pilot) -> None:
    """A config with a misspelt key: its one line and the key at fault."""


STATES = {
    "catalogue": catalogue,
    "filtered": filtered,
    "chosen": chosen,
    "refused": refused,
    "explained": explained,
    "run-demo": run_demo,
    "help": help_screen,
    "broken-config": broken_config,
}


def app_for(state: str, theme: str) -> RktTui:
    """Return the app a state of the tour starts from."""
    return broken_app(theme) if state == "broken-config" else tour_app(theme)


async def reach(pilot, state: str) -> None:
    """Bring the app to a state, with text cursors that do not blink."""
    await STATES[state](pilot)
    # A blinking cursor would make two screenshots of one state differ.
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False


async def screenshot(state: str, theme: str, size=SIZE) -> str:
    """Return an SVG screenshot of one state of the tour, in theme."""
    app = app_for(state, theme)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await reach(pilot, state)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        return app.export_screenshot(title=f"rkt-tui: {state}")


# README's screenshots: every state in the default theme, and two in the others.
SHOTS = [(state, THEMES[0]) for state in STATES] + [
    ("catalogue", "rkt-paper"),
    ("chosen", "rkt-contrast"),
]


def shot_name(state: str, theme: str) -> str:
    """Return a screenshot's file name: the state, and the theme if not default."""
    return f"{state}.svg" if theme == THEMES[0] else f"{state}-{theme}.svg"


async def write_screenshots(folder: Path) -> list[Path]:
    """Write every screenshot of SHOTS into folder; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for state, theme in SHOTS:
        path = folder / shot_name(state, theme)
        path.write_text(await screenshot(state, theme))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """Write README's screenshots into the folder named, screenshots/ by default."""
    import asyncio

    folder = Path(argv[0] if argv else "screenshots")
    for path in asyncio.run(write_screenshots(folder)):
        print(path)
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
