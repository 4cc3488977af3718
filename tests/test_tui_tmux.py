"""rkt-tui in a real terminal: tmux runs it, the test types and reads the screen."""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import require, require_root

TUI = Path(sys.executable).parent / "rkt-tui"


class Tmux:
    """One detached tmux session on its own server socket, killed afterwards."""

    def __init__(self, socket: str):
        self.socket = socket

    def run(self, *words: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *words],
                              capture_output=True, text=True, timeout=30)
        return done.stdout

    def start(self, arguments: str, environment: dict, size=(140, 42)) -> None:
        """Start rkt-tui with arguments in the session; say its status when it ends."""
        command = f"{TUI} {arguments}; echo rkt-tui exited $?; sleep 30"
        subprocess.run(["tmux", "-L", self.socket, "new-session", "-d", "-s", "tui",
                        "-x", str(size[0]), "-y", str(size[1]), command],
                       env=environment, check=True, timeout=30)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "tui")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """Return the screen once it shows text; fail with the screen otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        pytest.fail(f"the terminal never showed {text!r}; it shows:\n{screen}")


@pytest.fixture
def tmux(tmp_path):
    require(shutil.which("tmux") is not None, "needs tmux")
    session = Tmux(f"rkttui-{uuid.uuid4().hex[:8]}")
    yield session
    session.run("kill-server")


def test_the_demo_in_a_real_terminal_filters_and_shows_the_planned_command(
        tmux, tmp_path):
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "TERM": "xterm"}
    tmux.start("--demo", environment)

    screen = tmux.wait_for("46 entries")
    assert "bwa-0.7.17" in screen
    assert "13 pulled images" in screen

    tmux.run("send-keys", "-t", "tui", "/")
    tmux.run("send-keys", "-t", "tui", "-l", "samt")
    tmux.wait_for("5 of 46 match")
    screen = tmux.wait_for("rkt-run -- samtools")
    listed = [line for line in screen.splitlines() if "samtools" in line]
    assert any("exec  samtools" in line for line in listed)
    assert any("alias samtools-1.19" in line for line in listed)
    assert "bwa-0.7.17" not in screen
    flat = " ".join(screen.split())
    assert "/usr/bin/rkt --insecure-options=image run" in flat
    assert "quay.io/biocontainers/samtools:1.19.2--h50ea8bc_0" in flat
    assert "same as rkt-run -- samtools" in flat

    # Enter chooses the match at the cursor and moves to its arguments; esc
    # goes back to the list, where q is a letter for the filter and ctrl+q quits.
    tmux.run("send-keys", "-t", "tui", "Enter")
    tmux.run("send-keys", "-t", "tui", "-l", "view x.bam")
    tmux.wait_for("rkt-run -- samtools view x.bam")
    tmux.run("send-keys", "-t", "tui", "Escape")
    tmux.wait_for("⏎ Choose")
    tmux.run("send-keys", "-t", "tui", "-l", "q")
    tmux.wait_for("20 of 46 match")
    tmux.run("send-keys", "-t", "tui", "C-q")
    screen = tmux.wait_for("rkt-tui exited 0")
    assert "Traceback" not in screen


def test_keys_sent_in_one_burst_land_in_the_fields_they_were_typed_for(
        tmux, tmp_path):
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "TERM": "xterm"}
    tmux.start("--demo", environment)
    tmux.wait_for("46 entries")

    # One send-keys: the terminal hands rkt-tui every key in one read.
    tmux.run("send-keys", "-t", "tui", "/bwa", "Enter", "mem x")
    screen = tmux.wait_for("same as  rkt-run -- bwa mem x")
    assert "bwamem" not in screen
    tmux.run("send-keys", "-t", "tui", "C-q")
    tmux.wait_for("rkt-tui exited 0")


def test_run_hands_the_terminal_to_rkt_run_and_its_exit_status_is_the_users(
        tmux, tmp_path, standin, write_config):
    require_root()
    standin.exit_with(3)
    config = write_config(f"""
rkt = "{standin.path}"

[alias."bwa-0.7.17"]
image = "quay.io/biocontainers/bwa:0.7.17--he4a0461_11"
exec = ["bwa"]
""")
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "TERM": "xterm",
                   "PATH": "/usr/bin:/bin"}
    tmux.start(f"--config {config} bwa", environment, size=(120, 40))
    tmux.wait_for("same as  rkt-run --config")
    tmux.run("send-keys", "-t", "tui", "-l", "mem 'my reads.fq'")
    tmux.wait_for("rkt-run --config " + config + " -- bwa mem 'my reads.fq'")
    tmux.run("send-keys", "-t", "tui", "C-r")
    tmux.wait_for("Run this?")
    tmux.run("send-keys", "-t", "tui", "Enter")

    tmux.wait_for("rkt-tui exited 3")
    record = standin.only_record()
    assert record["argv"][1:] == [
        "run", "--set-env-file", "/proc/self/fd/3",
        "quay.io/biocontainers/bwa:0.7.17--he4a0461_11", "--user=0", "--group=0",
        "--exec", "bwa", "--", "mem", "my reads.fq"]
