"""rkt-tui when things are wrong: a broken config, no terminal, no image list."""

import os
import pty
import subprocess
import sys
import textwrap

import pytest
from conftest import drive
from rktcore import config as configuration
from rktcore.identity import Caller

from rkttui.app import RktTui, build_app, main, parse_arguments
from rkttui.screens.broken_config import key_at_fault
from rkttui.site import Site

pytestmark = pytest.mark.usefixtures("own_settings")

ALICE = Caller(1000, 1000, [], "alice", "/home/alice")
SIZE = (120, 40)
GOOD = """\
rkt = "/usr/bin/rkt"

[alias."bwa-0.7.17"]
image = "quay.io/biocontainers/bwa:0.7.17--he4a0461_11"
exec = ["bwa"]
"""
TUI = [sys.executable, "-m", "rkttui"]


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


@drive
async def test_a_broken_config_opens_a_screen_with_its_one_line_and_key(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(GOOD.replace('image = "quay', 'imgae = "quay'))
    app = build_app(parse_arguments(["--config", str(path)]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "BrokenConfigScreen"
        assert text_of(app, "#broken-message") == (
            f"✗ {path}: alias.bwa-0.7.17.imgae is not a known key; remove it or "
            "correct its spelling")
        assert text_of(app, "#broken-key") == "at fault: alias.bwa-0.7.17.imgae"


@drive
async def test_a_toml_syntax_error_names_its_line_and_column(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text('rkt = "/usr/bin/rkt"\n[alias.bwa\n')
    app = build_app(parse_arguments(["--config", str(path)]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "not valid TOML" in text_of(app, "#broken-message")
        assert text_of(app, "#broken-key") == "at fault: line 2, column 11"


@drive
async def test_a_missing_config_names_the_file(tmp_path):
    path = tmp_path / "absent.toml"
    app = build_app(parse_arguments(["--config", str(path)]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text_of(app, "#broken-message") == (
            f"✗ config {path} does not exist; ask your admin, or name another "
            "with --config")
        assert text_of(app, "#broken-key") == f"file: {path}"


@drive
async def test_r_reads_a_fixed_config_again_and_opens_the_catalogue(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(GOOD.replace('exec = ["bwa"]', 'exec = "bwa"'))
    app = build_app(parse_arguments(["--config", str(path)]))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert text_of(app, "#broken-key") == "at fault: alias.bwa-0.7.17.exec"
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "BrokenConfigScreen"
        path.write_text(GOOD)
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "MainScreen"


def test_the_key_at_fault_is_read_from_the_configs_own_message():
    assert key_at_fault("/x.toml: volume.data needs a \"volume\" key",
                        "/x.toml") == "volume.data"
    assert key_at_fault("/x.toml: not UTF-8 text; save it as UTF-8", "/x.toml") == ""


def test_without_a_terminal_rkt_tui_says_to_use_rkt_run_and_fails():
    done = subprocess.run([*TUI, "--demo"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 64
    assert done.stdout == ""
    assert done.stderr == ("rkt-tui: needs a terminal on stdin and stdout; in "
                           "scripts and pipes use rkt-run (rkt-run --help, "
                           "rkt-run -l)\n")


def test_with_stdout_piped_rkt_tui_refuses_too():
    # stdin is a terminal here; only stdout is a pipe.
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([*TUI, "--demo"], stdin=follower,
                              capture_output=True, text=True, timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert done.returncode == 64
    assert "use rkt-run" in done.stderr


def test_an_unknown_theme_is_refused_with_the_choices(capsys):
    assert main(["--demo", "--theme", "no-such-theme"]) == 64
    err = capsys.readouterr().err
    assert err.startswith('rkt-tui: theme "no-such-theme" is unknown; choose one '
                          "of: ")
    assert "rkt-contrast" in err and "rkt-night" in err and "rkt-paper" in err


@pytest.mark.parametrize("argv, line", [
    (["--bogus"], "rkt-tui: unrecognized arguments: --bogus; rkt-tui --help lists "
     "the options\n"),
    (["--config"], "rkt-tui: argument --config: expected one argument; rkt-tui "
     "--help lists the options\n"),
    (["--demo", "--config", "/etc/site.toml"], "rkt-tui: --demo opens the embedded "
     "demo catalogue, so it takes no --config; drop one of them\n"),
])
def test_a_wrong_command_line_is_one_line_and_a_usage_status(capsys, argv, line):
    assert main(argv) == 64
    assert capsys.readouterr().err == line


@drive
async def test_the_image_list_is_asked_of_the_config_rkt_tui_was_given(tmp_path):
    site = site_asking_rkt_run(tmp_path)
    site.config_arg = site.config.path
    rkt_run = stand_in_rkt_run(tmp_path, f"""\
        [ "$*" = "--config {site.config.path} --list-images --json" ] || exit 64
        echo '[{{"id": "sha512-1", "name": "quay.io/biocontainers/seqkit:2.8.0--0",
                "size": 1024, "import_time": 1, "last_used_time": 2}}]'
        """)
    app = RktTui(site, rkt_run=rkt_run)
    async with app.run_test(size=SIZE) as pilot:
        note = await wait_for_note(pilot, "pulled images: asking rkt-run…")
        assert note == "1 pulled image"


def stand_in_rkt_run(tmp_path, script: str) -> str:
    path = tmp_path / "rkt-run"
    path.write_text("#!/bin/sh\n" + textwrap.dedent(script))
    path.chmod(0o755)
    return str(path)


def site_asking_rkt_run(tmp_path) -> Site:
    path = tmp_path / "site.toml"
    path.write_text(GOOD)
    return Site(configuration.load(str(path)), ALICE, {}, str(tmp_path))


async def wait_for_note(pilot, unwanted: str) -> str:
    for _ in range(100):
        note = text_of(pilot.app, "#images-note")
        if note != unwanted:
            return note
        await pilot.pause(0.05)
    return note


@drive
async def test_without_an_image_list_the_list_says_why_and_aliases_still_work(
        tmp_path):
    rkt_run = stand_in_rkt_run(tmp_path, """\
        echo "rkt-run: rkt-run is not installed setuid root here, so it can \
only preview (--dry-run); ask your admin to run rkt-run-admin install" >&2
        exit 69
        """)
    app = RktTui(site_asking_rkt_run(tmp_path), rkt_run=rkt_run)
    async with app.run_test(size=SIZE) as pilot:
        note = await wait_for_note(pilot, "pulled images: asking rkt-run…")
        assert note == ("no pulled images: rkt-run is not installed setuid root "
                        "here, so it can only preview (--dry-run); ask your admin "
                        "to run rkt-run-admin install")
        assert [entry.name for entry in app.screen.catalogue.entries] == [
            "bwa-0.7.17", "bwa"]


@drive
async def test_pulled_images_from_rkt_run_join_the_catalogue(tmp_path):
    rkt_run = stand_in_rkt_run(tmp_path, """\
        [ "$*" = "--list-images --json" ] || exit 64
        echo '[{"id": "sha512-1", "name": "quay.io/biocontainers/seqkit:2.8.0--0",
                "size": 1024, "import_time": 1, "last_used_time": 2}]'
        """)
    app = RktTui(site_asking_rkt_run(tmp_path), rkt_run=rkt_run)
    async with app.run_test(size=SIZE) as pilot:
        note = await wait_for_note(pilot, "pulled images: asking rkt-run…")
        assert note == "1 pulled image"
        assert "quay.io/biocontainers/seqkit:2.8.0--0" in [
            entry.name for entry in app.screen.catalogue.entries]
