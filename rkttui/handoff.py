"""Run's hand-off: exec rkt-run with the options that make the previewed plan.

rkt-tui holds no privilege; rkt-run checks the request again from scratch, as
if a stranger had typed it. The exec is a plain function so that tests can put
a recorder in its place.
"""

import os
import shutil
import stat
import sys
from pathlib import Path

from rktcore.options import argv_for
from rktcore.preview import command_line

READY, DEMO, MISSING, NOT_SETUID = "ready", "demo", "missing", "not setuid"
# rkt-run reads a config named with --config only for root, or for a dry run.
OWN_CONFIG = "own config"


class HandOff:
    """The rkt-run command Run would execute, and whether it can run here."""

    def __init__(self, argv: list[str], rkt_run: str | None, readiness: str):
        # rkt-run's arguments, without the program name.
        self.argv = argv
        self.rkt_run = rkt_run
        self.readiness = readiness

    @property
    def command_line(self) -> str:
        """Return the command as a user would type it, shell-quoted."""
        return command_line(["rkt-run", *self.argv])


def find_rkt_run() -> str | None:
    """Return rkt-run on PATH, or the one installed beside rkt-tui, or None."""
    found = shutil.which("rkt-run")
    if found:
        return found
    beside = Path(sys.argv[0]).resolve().parent / "rkt-run"
    return str(beside) if os.access(beside, os.X_OK) else None


def setuid_root(path: str) -> bool:
    """Say whether path is a setuid-root executable, as installed rkt-run is."""
    try:
        info = os.stat(path)
    except OSError:
        return False
    return info.st_uid == 0 and bool(info.st_mode & stat.S_ISUID)


def hand_off(site, request, rkt_run: str | None) -> HandOff:
    """Return the hand-off for request: its rkt-run argv and whether it can run."""
    argv = argv_for(request, site.config_arg)
    if site.demo:
        readiness = DEMO
    elif rkt_run is None:
        readiness = MISSING
    elif not (site.caller.is_root or setuid_root(rkt_run)):
        readiness = NOT_SETUID
    elif site.config_arg and not site.caller.is_root:
        readiness = OWN_CONFIG
    else:
        readiness = READY
    return HandOff(argv, rkt_run, readiness)


def exec_rkt_run(path: str, argv: list[str]) -> None:
    """Replace this process with rkt-run, so the container gets the terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(path, ["rkt-run", *argv])
