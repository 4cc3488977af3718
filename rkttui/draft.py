"""The request a user is building, and what rkt-run would make of it.

Everything here is plain Python over rktcore, so that the preview the screen
shows can be checked without a terminal.
"""

import shlex

from rktcore.messages import Refusal
from rktcore.plan import Request, user_setting

from rkttui.catalogue import ALIAS, EXEC, IMAGE


class Draft:
    """The choices made so far for one catalogue entry."""

    def __init__(self, entry=None):
        self.entry = entry
        # An executable chosen from the alias's list, or typed where allowed.
        self.exec = ""
        # The arguments as typed; split the way a POSIX shell splits them.
        self.arguments = ""
        self.volumes: list[str] = []
        self.environment: list[tuple[str, str]] = []
        self.interactive = False

    def words(self) -> list[str]:
        """Split the arguments as a shell would, or refuse with one line."""
        try:
            return shlex.split(self.arguments)
        except ValueError as error:
            reason = str(error).lower()
            raise Refusal(f"arguments: {reason}; close the quote or escape it "
                          "with a backslash") from None

    def settings(self) -> list[str]:
        """Return the environment rows as NAME=VALUE, skipping empty rows."""
        return [f"{name}={value}" for name, value in self.environment
                if name or value]

    def request(self) -> Request:
        """Return the request rkt-run would receive for these choices."""
        entry = self.entry
        if entry is None:
            raise Refusal("choose something to run from the list")
        exe = "" if entry.kind == EXEC else self.exec
        # rkt-tui runs only in a terminal, and Run leaves it to rkt-run as
        # stdin, so rkt-run will find a terminal there too.
        return Request(image=entry.name, exec=exe, volumes=self.volumes,
                       set_env=self.settings(), interactive=self.interactive,
                       no_prefix=entry.kind == IMAGE, args=self.words(),
                       tty=True)


class Outcome:
    """A preview: the request and its plan, or the one line that refuses it."""

    __slots__ = ("request", "plan", "problem")

    def __init__(self, request=None, plan=None, problem=""):
        self.request = request
        self.plan = plan
        self.problem = problem

    @property
    def runnable(self) -> bool:
        return self.plan is not None


def outcome(site, draft: Draft) -> Outcome:
    """Plan the draft with rkt-run's own planning function."""
    try:
        request = draft.request()
    except Refusal as refusal:
        return Outcome(problem=str(refusal))
    try:
        return Outcome(request, site.plan(request))
    except Refusal as refusal:
        return Outcome(request, problem=str(refusal))


def verdict(site, entry, name: str, value: str) -> tuple[bool | None, str]:
    """Check one environment row against the admin's bounds, as rkt-run will.

    Returns (None, "") for an empty row, (True, "allowed") or (False, why).
    """
    if not name and not value:
        return None, ""
    alias = entry.alias if entry is not None and entry.kind in (ALIAS, EXEC) else ""
    doc = site.config.doc.get("alias", {}).get(alias, {})
    blacklist = doc.get("environment-blacklist", [])
    try:
        user_setting(site.config, f"{name}={value}", blacklist, alias)
    except Refusal as refusal:
        return False, str(refusal).removeprefix("--set-env ")
    return True, "allowed"


def exec_choices(site, entry) -> tuple[list[str], bool]:
    """Return the executables offered for entry, and whether free text is allowed."""
    if entry is None or entry.kind == EXEC:
        return [], False
    listed = []
    if entry.kind == ALIAS:
        listed = site.config.doc["alias"][entry.alias].get("exec", [])
    return listed, bool(site.config.allow("exec"))
