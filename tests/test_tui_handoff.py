"""Run and Save in rkt-tui: the hand-off to rkt-run, and wrapper scripts.

Run's exec is replaced by a recorder: the test asserts on exactly what rkt-tui
would have executed, and that rkt-run reads it back into the same plan.
"""

import os
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import drive, require_root
from rktcore import config as configuration
from rktcore import options
from rktcore.identity import Caller
from rktcore.plan import Request, make_plan
from textual.widgets import Input

from rkttui.app import RktTui, finish
from rkttui.handoff import HandOff
from rkttui.site import Site
from rkttui.widgets.command_preview import CommandPreview

pytestmark = pytest.mark.usefixtures("own_settings")

ALICE = Caller(1000, 1000, [], "alice", "/home/alice")
ROOT = Caller(0, 0, [], "root", "/root")
SIZE = (120, 45)
SITE = """
rkt = "/usr/bin/rkt"

[volume.project]
volume = "kind=host,source=/srv/projects"
mount = "target=/projects"
on-request = true

[allow]
set-env = ["OMP_NUM_THREADS"]

[alias."bwa-0.7.17"]
image = "quay.io/biocontainers/bwa:0.7.17--he4a0461_11"
exec = ["bwa"]
description = "Burrows-Wheeler aligner"
"""


def notices(app) -> list[str]:
    """Return the text of the notifications the screen shows."""
    return [" ".join(str(toast.render()).split())
            for toast in app.screen.query("Toast")]


class Recorder:
    """Stands in for the exec: remembers what rkt-tui would have executed."""

    def __init__(self):
        self.calls = []

    def __call__(self, path, argv):
        self.calls.append((path, list(argv)))


def site_for(tmp_path, caller, config_arg="", demo=False) -> Site:
    path = tmp_path / "site.toml"
    path.write_text(SITE)
    return Site(configuration.load(str(path)), caller, {}, str(tmp_path),
                config_arg=config_arg, demo=demo, images=[])


def make_app(site, rkt_run="/usr/local/bin/rkt-run", recorder=None) -> RktTui:
    return RktTui(site, rkt_run=rkt_run, execute=recorder or Recorder())


async def choose_bwa(pilot, arguments="mem ref.fa 'my reads.fq'") -> None:
    """Choose bwa with arguments, the project volume and one variable."""
    await pilot.press("slash", *"bwa", "enter", *arguments)
    await pilot.click("#volume-project")
    await pilot.app.screen.query_one("#env-rows").add_row("OMP_NUM_THREADS", "8")
    await pilot.pause()


@drive
async def test_run_asks_once_then_execs_rkt_run_with_the_equivalent_options(
        tmp_path):
    site = site_for(tmp_path, ROOT)
    recorder = Recorder()
    app = make_app(site, recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await choose_bwa(pilot)
        previewed = app.screen.query_one(CommandPreview).outcome.plan.argv
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ == "RunDialog"
        assert recorder.calls == []
        await pilot.press("enter")
        await pilot.pause()
    assert isinstance(app.return_value, HandOff)
    assert finish(app) == 0

    request = Request(image="bwa", volumes=["project"],
                      set_env=["OMP_NUM_THREADS=8"],
                      args=["mem", "ref.fa", "my reads.fq"])
    assert recorder.calls == [("/usr/local/bin/rkt-run",
                               options.argv_for(request))]
    again = options.parse(recorder.calls[0][1]).request()
    plan = make_plan(site.config, ROOT, again, {}, site.cwd)
    assert plan.argv == previewed


@drive
async def test_run_passes_on_the_config_named_with_config(tmp_path):
    site = site_for(tmp_path, ROOT, config_arg="/srv/site.toml")
    recorder = Recorder()
    app = make_app(site, recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "enter", "ctrl+r")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    finish(app)
    assert recorder.calls[0][1] == ["--config", "/srv/site.toml", "--", "bwa"]


@drive
async def test_cancelling_run_executes_nothing_and_keeps_the_choices(tmp_path):
    recorder = Recorder()
    app = make_app(site_for(tmp_path, ROOT), recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await choose_bwa(pilot)
        await pilot.press("ctrl+r")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"
        assert app.screen.query_one("#arguments", Input).value.startswith("mem")
        await pilot.press("ctrl+q")
    assert finish(app) == 0
    assert recorder.calls == []


@drive
async def test_run_says_so_when_rkt_run_is_not_setuid_and_shows_the_command(
        tmp_path):
    plain = tmp_path / "rkt-run"
    plain.write_text("#!/bin/sh\n")
    plain.chmod(0o755)
    recorder = Recorder()
    app = make_app(site_for(tmp_path, ALICE), rkt_run=str(plain), recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "enter", *"mem", "ctrl+r")
        await pilot.pause()
        dialog = app.screen
        title = str(dialog.query_one(".dialog-title").render())
        text = " ".join(str(dialog.query_one(".dialog-text").render()).split())
        assert title == "rkt-run cannot start containers here"
        assert f"{plain} is not installed setuid root" in text
        assert "rkt-run-admin install" in text
        assert str(dialog.query_one("#run-command").render()) == (
            "rkt-run -- bwa mem")
        assert not dialog.query("#run")
        await pilot.click("#copy")
        assert app.clipboard == "rkt-run -- bwa mem"
        await pilot.click("#cancel")
        await pilot.pause()
        await pilot.press("ctrl+q")
    finish(app)
    assert recorder.calls == []


@drive
async def test_run_for_an_ordinary_user_execs_a_setuid_root_rkt_run(tmp_path):
    installed = installed_rkt_run(tmp_path)
    recorder = Recorder()
    app = make_app(site_for(tmp_path, ALICE), rkt_run=str(installed),
                   recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "enter", "ctrl+r")
        await pilot.pause()
        assert app.screen.query("#run")
        await pilot.press("enter")
        await pilot.pause()
    finish(app)
    assert recorder.calls == [(str(installed), ["--", "bwa"])]


def installed_rkt_run(tmp_path) -> Path:
    """Return a setuid-root file in rkt-run's place, as an admin installs it."""
    require_root()
    installed = tmp_path / "bin" / "rkt-run"
    installed.parent.mkdir()
    installed.write_text("#!/bin/sh\n")
    os.chown(installed, 0, 0)
    installed.chmod(0o4755)
    return installed


@drive
async def test_run_explains_that_rkt_run_takes_another_config_only_from_root(
        tmp_path):
    installed = installed_rkt_run(tmp_path)
    recorder = Recorder()
    site = site_for(tmp_path, ALICE, config_arg="/srv/site.toml")
    app = make_app(site, rkt_run=str(installed), recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "enter", "ctrl+r")
        await pilot.pause()
        assert str(app.screen.query_one(".dialog-title").render()) == (
            "rkt-run runs only the site's config for you")
        assert str(app.screen.query_one("#run-command").render()) == (
            "rkt-run --config /srv/site.toml -- bwa")
        assert not app.screen.query("#run")
        await pilot.press("escape", "ctrl+q")
    finish(app)
    assert recorder.calls == []


@drive
async def test_run_says_so_when_rkt_run_is_not_installed(tmp_path):
    app = make_app(site_for(tmp_path, ALICE), rkt_run=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "enter", "ctrl+r")
        await pilot.pause()
        assert str(app.screen.query_one(".dialog-title").render()) == (
            "rkt-run is not installed")


@drive
async def test_run_in_the_demo_shows_what_would_be_executed(tmp_path):
    recorder = Recorder()
    app = make_app(site_for(tmp_path, ALICE, demo=True), recorder=recorder)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "enter", *"mem", "ctrl+r")
        await pilot.pause()
        commands = [str(line.render()) for line in
                    app.screen.query(".dialog-command")]
        assert commands[0] == "rkt-run -- bwa mem"
        assert commands[1].startswith("/usr/bin/rkt run --set-env-file")
        assert commands[1].endswith("--exec bwa -- mem")
        await pilot.press("escape", "ctrl+q")
    assert finish(app) == 0
    assert recorder.calls == []


@drive
async def test_run_with_nothing_runnable_explains_instead_of_asking(tmp_path):
    app = make_app(site_for(tmp_path, ROOT))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash", *"bwa", "enter", *"mem '", "ctrl+r")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"
        assert any("no closing quotation" in text for text in notices(app))


@drive
async def test_a_failed_exec_says_what_to_run_by_hand(tmp_path, capsys):
    def failing(path, argv):
        raise FileNotFoundError(2, "No such file or directory")

    app = make_app(site_for(tmp_path, ROOT), recorder=failing)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"bwa", "enter", "ctrl+r")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert finish(app) == 69
    assert capsys.readouterr().err == (
        "rkt-tui: cannot run /usr/local/bin/rkt-run: No such file or directory; "
        "run it yourself: rkt-run -- bwa\n")


# Save as wrapper script.


async def open_save(pilot, path: Path) -> None:
    """Choose bwa, open Save, and type the path."""
    await choose_bwa(pilot)
    await pilot.press("ctrl+s")
    await pilot.pause()
    box = pilot.app.screen.query_one("#save-path", Input)
    box.value = str(path)
    box.focus()


@drive
async def test_save_writes_an_executable_script_that_execs_rkt_run(tmp_path):
    script = tmp_path / "bwa-mem"
    app = make_app(site_for(tmp_path, ALICE))
    async with app.run_test(size=SIZE) as pilot:
        await open_save(pilot, script)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/bin/sh"
    assert lines[1] == "# bwa: Burrows-Wheeler aligner"
    assert lines[-1] == ("exec rkt-run --volume project --set-env OMP_NUM_THREADS=8 "
                         "-- bwa mem ref.fa 'my reads.fq' \"$@\"")


def test_a_saved_script_hands_its_own_arguments_on_after_the_chosen_ones(tmp_path):
    # The script's rkt-run is a stand-in that prints the words it was given.
    from rkttui.wrapper import save_script, script_text

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "rkt-run").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (bin_dir / "rkt-run").chmod(0o755)
    script = tmp_path / "bwa-mem"
    argv = options.argv_for(Request(image="bwa", args=["mem", "my reads.fq"]))
    save_script(script, script_text("bwa", "it's $(danger)\nrm -rf /", argv))
    done = subprocess.run([str(script), "more reads.fq"], capture_output=True,
                          text=True, env={"PATH": f"{bin_dir}:/usr/bin:/bin"})
    assert done.stdout.splitlines() == ["--", "bwa", "mem", "my reads.fq",
                                        "more reads.fq"]
    assert script.read_text().splitlines()[1] == "# bwa: it's $(danger) rm -rf /"


@drive
async def test_save_asks_before_overwriting_and_keeps_the_file_on_no(tmp_path):
    script = tmp_path / "bwa-mem"
    script.write_text("precious\n")
    app = make_app(site_for(tmp_path, ALICE))
    async with app.run_test(size=SIZE) as pilot:
        await open_save(pilot, script)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        assert str(app.screen.query_one(".dialog-title").render()) == (
            f"{script} exists. Overwrite it?")
        await pilot.press("n")
        await pilot.pause()
        assert type(app.screen).__name__ == "SaveDialog"
    assert script.read_text() == "precious\n"


@drive
async def test_save_overwrites_once_confirmed(tmp_path):
    script = tmp_path / "bwa-mem"
    script.write_text("old\n")
    script.chmod(0o600)
    app = make_app(site_for(tmp_path, ALICE))
    async with app.run_test(size=SIZE) as pilot:
        await open_save(pilot, script)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"
    assert script.read_text().startswith("#!/bin/sh\n")
    assert stat.S_IMODE(script.stat().st_mode) == 0o755


@drive
async def test_save_to_an_unwritable_path_says_why_and_leaves_nothing(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app = make_app(site_for(tmp_path, ALICE))
    async with app.run_test(size=SIZE) as pilot:
        await open_save(pilot, blocker / "bwa-mem")
        await pilot.press("enter")
        await pilot.pause()
        problem = str(app.screen.query_one("#save-problem").render())
        assert problem == (f"✗ cannot write {blocker / 'bwa-mem'}: not a directory; "
                           "choose a directory you can write to")
        assert type(app.screen).__name__ == "SaveDialog"
    assert not list(tmp_path.rglob("*bwa-mem*"))


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    from rktcore.messages import Refusal

    from rkttui import wrapper

    def broken_replace(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wrapper.os, "replace", broken_replace)
    with pytest.raises(Refusal, match="no space left on device"):
        wrapper.save_script(tmp_path / "script", "#!/bin/sh\n")
    assert list(tmp_path.iterdir()) == []
