"""rkt-tui on a podman site: the preview is the command rkt-run will execute.

rkt-tui runs only in a terminal, so an interactive run from it gets podman's
--tty as rkt-run adds it there; the preview must show it too.
"""

import pytest
from conftest import drive
from rktcore import config as configuration
from rktcore.identity import Caller
from textual.widgets import Switch

from rkttui.app import RktTui
from rkttui.site import Site
from rkttui.widgets.command_preview import CommandPreview, word_class

pytestmark = pytest.mark.usefixtures("own_settings")

ALICE = Caller(1000, 1000, [], "alice", "/home/alice")
SIZE = (120, 45)
SITE = """
runtime = "podman"
podman = "/usr/bin/podman"
default-interactive-cmd = "/bin/sh"

[options.common]
run = ["--network=host", "--pull=never"]

[volume.home]
source = "{{.HomeDir}}"
target = "/home/{{.Username}}"

[volume.reference]
source = "/srv/reference"
target = "/reference"
read-only = true
on-request = true

[alias."bwa-0.7.17"]
image = "quay.io/biocontainers/bwa:0.7.17--he4a0461_11"
exec = ["bwa"]
description = "Burrows-Wheeler aligner"
"""
BWA = (
    "/usr/bin/podman run --network=host --pull=never --rm --init --env-file "
    "/proc/self/fd/3 --user 1000:1000 --security-opt=no-new-privileges "
    "--http-proxy=false {streams}--volume /home/alice:/home/alice "
    "-- quay.io/biocontainers/bwa:0.7.17--he4a0461_11 bwa mem ref.fa"
)


def make_app(tmp_path) -> RktTui:
    path = tmp_path / "site.toml"
    path.write_text(SITE)
    site = Site(configuration.load(str(path)), ALICE, {}, "/home/alice/work",
                images=[])
    return RktTui(site, rkt_run=None)


def preview(app) -> CommandPreview:
    return app.screen.query_one(CommandPreview)


async def choose_bwa_mem(pilot) -> None:
    await pilot.press("slash", *"bwa", "enter", *"mem ref.fa")
    await pilot.pause()


@drive
async def test_a_podman_site_opens_with_its_structured_volumes(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"
        fixed = [str(line.render()) for line in app.screen.query(".volume-fixed")]
        toggle = app.screen.query_one("#volume-reference")
        assert fixed == ["■ home  /home/alice → /home/alice  (always mounted)"]
        assert str(toggle.label) == (
            "reference  /srv/reference → /reference  (read-only)")


@drive
async def test_the_preview_shows_the_podman_command_word_for_word(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose_bwa_mem(pilot)
        assert preview(app).command_text == BWA.format(streams="")
        assert preview(app).handoff_text == "rkt-run -- bwa mem ref.fa"


@drive
async def test_an_interactive_run_previews_the_terminal_podman_will_get(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose_bwa_mem(pilot)
        app.screen.query_one("#interactive", Switch).value = True
        await pilot.pause()
        assert preview(app).command_text == BWA.format(
            streams="--interactive --tty ")
        assert preview(app).handoff_text == (
            "rkt-run --interactive -- bwa mem ref.fa")


@drive
async def test_a_read_only_volume_asked_for_is_mounted_with_ro(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose_bwa_mem(pilot)
        await pilot.click("#volume-reference")
        await pilot.pause()
        assert "--volume /srv/reference:/reference:ro --" in (
            preview(app).command_text)


@drive
async def test_only_the_sites_options_are_coloured_as_options(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await choose_bwa_mem(pilot)
        app.screen.query_one("#interactive", Switch).value = True
        await pilot.pause()
        plan = preview(app).outcome.plan
        classes = {word: word_class(origin)
                   for word, origin in zip(plan.argv, plan.origins)}
        options = {word for word, kind in classes.items() if kind == "option"}
        assert options == {"--network=host", "--pull=never"}
        assert classes["/usr/bin/podman"] == "runtime"
        for word in ("run", "--rm", "--init", "--security-opt=no-new-privileges",
                     "--http-proxy=false", "--interactive", "--tty", "--"):
            assert classes[word] == "structure", word
        assert classes["--env-file"] == "environment"
        assert classes["1000:1000"] == "identity"
        assert classes["/home/alice:/home/alice"] == "volume"
