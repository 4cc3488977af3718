"""Who is calling: from the kernel and the passwd database, never the environment."""

import os

from rktcore.messages import Refusal

# The launcher moves each of the caller's variables NAME to PREFIX + NAME, so
# that none of them can change how the interpreter starts (see launcher.c).
LAUNCHER_MARK = "RKT_RUN_LAUNCHER"
CALLER_PREFIX = "RKT_RUN_CALLER_"


class Caller:
    """The person rkt-run acts for: ids, groups, name and home."""

    __slots__ = ("uid", "gid", "groups", "username", "home")

    def __init__(self, uid, gid, groups, username, home):
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.username = username
        self.home = home

    @property
    def is_root(self) -> bool:
        return self.uid == 0

    def template_variables(self) -> dict[str, str]:
        """Return the identity variables every template may use."""
        return {
            "Uid": str(self.uid),
            "Gid": str(self.gid),
            "Username": self.username,
            "HomeDir": self.home,
        }


def from_kernel() -> Caller:
    """Return the caller: the real ids, or sudo's caller when root runs under sudo."""
    uid, gid = os.getuid(), os.getgid()
    groups = None
    # Only root can run this with real uid 0, so trusting what root's
    # environment says (sudo sets it, even through the launcher) is safe.
    environment = caller_environment() if uid == 0 else {}
    if "SUDO_UID" in environment:
        uid, gid = sudo_ids(environment)
    else:
        groups = sorted(set(os.getgroups()) - {gid})
    entry = passwd_entry(uid)
    if groups is None:
        groups = sorted(set(os.getgrouplist(entry.pw_name, gid)) - {gid})
    return Caller(uid, gid, groups, entry.pw_name, entry.pw_dir)


def sudo_ids(environment: dict[str, str]) -> tuple[int, int]:
    """Return the ids sudo recorded for the user who ran it."""
    try:
        return int(environment["SUDO_UID"]), int(environment["SUDO_GID"])
    except (KeyError, ValueError):
        raise Refusal("SUDO_UID or SUDO_GID is missing or not a number; "
                      "run rkt-run through sudo itself") from None


def passwd_entry(uid: int):
    """Return the passwd entry of uid, refusing a caller who has none."""
    import pwd

    try:
        return pwd.getpwuid(uid)
    except KeyError:
        raise Refusal(f"uid {uid} has no passwd entry; ask your admin to add "
                      "one") from None


def caller_environment() -> dict[str, str]:
    """Return the caller's environment variables, as the launcher passed them on."""
    if LAUNCHER_MARK not in os.environ:
        return dict(os.environ)
    start = len(CALLER_PREFIX)
    return {
        name[start:]: value
        for name, value in os.environ.items()
        if name.startswith(CALLER_PREFIX)
    }
