"""Fixtures shared by the suite: configs, the recording stand-in rkt, test users.

Tests that need root, a compiler or podman skip with the reason where those
are missing; with RKTTUI_REQUIRE_ALL=1 (set by CI) such a skip is a failure.
"""

import asyncio
import functools
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "core" / "rktcore" / "samples"
CONFIGS = Path(__file__).resolve().parent / "configs"
STANDIN = Path(__file__).resolve().parent / "standin" / "rkt"
RKT_RUN = [sys.executable, "-I", "-m", "rktcore"]


def require(condition: bool, reason: str) -> None:
    """Skip unless condition holds; under RKTTUI_REQUIRE_ALL=1, fail instead."""
    if condition:
        return
    if os.environ.get("RKTTUI_REQUIRE_ALL") == "1":
        pytest.fail(f"required but unavailable: {reason}")
    pytest.skip(reason)


def require_root() -> None:
    require(os.geteuid() == 0, "needs root (setuid files, test users)")


@pytest.fixture
def shared_dir():
    """A root-owned directory that every user may enter, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="rkttui-test-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def write_config(shared_dir):
    """Write a config text to a file only root may change; return its path."""
    counter = iter(range(1000))

    def write(text: str, name: str | None = None) -> str:
        path = shared_dir / (name or f"config-{next(counter)}.toml")
        path.write_text(text)
        path.chmod(0o644)
        return str(path)

    return write


class StandIn:
    """The recording stand-in rkt, installed in its own directory."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.path = directory / "rkt"
        shutil.copy(STANDIN, self.path)
        self.path.chmod(0o755)

    def records(self, pattern: str = "[0-9]*[0-9].json") -> list[dict]:
        """Return what each run of the stand-in recorded, oldest first."""
        folder = self.directory / "records"
        if not folder.exists():
            return []
        found = [json.loads(p.read_text()) for p in folder.glob(pattern)]
        return sorted(found, key=lambda record: record["time"])

    def listings(self) -> list[dict]:
        """Return what each image listing asked of the stand-in recorded."""
        return self.records("*.list.json")

    def only_record(self) -> dict:
        records = self.records()
        assert len(records) == 1, f"expected one run, got {len(records)}"
        return records[0]

    def exit_with(self, status: int) -> None:
        (self.directory / "exit-status").write_text(str(status))

    def sleep_for(self, seconds: float) -> None:
        (self.directory / "sleep").write_text(str(seconds))

    def offer_images(self, images) -> None:
        (self.directory / "images.json").write_text(json.dumps(images))


@pytest.fixture
def standin(shared_dir):
    """A recording stand-in rkt in a root-owned directory."""
    directory = shared_dir / "runtime"
    directory.mkdir(mode=0o755)
    return StandIn(directory)


def free_uid(start: int = 42100) -> int:
    """Return a uid and gid that no user or group holds."""
    import grp

    uid = start
    while True:
        try:
            pwd.getpwuid(uid)
        except KeyError:
            try:
                grp.getgrgid(uid)
            except KeyError:
                return uid
        uid += 1


class TestUser:
    """A user made for one test with useradd, removed afterwards."""

    def __init__(self, name: str, uid: int, home: Path):
        self.name = name
        self.uid = uid
        self.gid = pwd.getpwnam(name).pw_gid
        self.home = home

    def run(self, argv, **kwargs) -> subprocess.CompletedProcess:
        """Run argv as this user through setpriv, with their groups."""
        wrapper = ["setpriv", f"--reuid={self.uid}", f"--regid={self.gid}",
                   "--init-groups", "--"]
        kwargs.setdefault("capture_output", True)
        kwargs.setdefault("text", True)
        return subprocess.run(wrapper + list(argv), **kwargs)


@pytest.fixture
def make_user():
    """Make test users on demand; each is deleted with its home afterwards."""
    require_root()
    require(shutil.which("useradd") is not None, "needs useradd")
    made = []

    def make(prefix: str = "rkttest") -> TestUser:
        start = 42100 + len(made) * 7
        for attempt in range(50):
            uid = free_uid(start)
            name = f"{prefix}{uid}"
            home = Path("/home") / name
            done = subprocess.run(["useradd", "-m", "-u", str(uid), "-U", "-d",
                                   str(home), "-s", "/bin/sh", name],
                                  capture_output=True)
            # 1: passwd locked, 4, 9: uid or name taken, 10: group file locked,
            # all by test runs in parallel; try the next free uid.
            if done.returncode not in (1, 4, 9, 10):
                break
            start = uid + 1 + attempt
        done.check_returncode()
        made.append(name)
        return TestUser(name, uid, home)

    yield make
    for name in made:
        subprocess.run(["userdel", "-r", "-f", name], capture_output=True)


def drive(scenario):
    """Run an async pilot scenario as a plain test (no async plugin needed)."""

    @functools.wraps(scenario)
    def test(*args, **kwargs):
        asyncio.run(scenario(*args, **kwargs))

    return test


@pytest.fixture
def own_settings(tmp_path, monkeypatch):
    """Give rkt-tui a settings directory of the test's own, for themes and such."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
