"""Hold root only where a step needs it.

Under the setuid launcher the process starts with the caller's real uid and
euid 0. drop() sets the euid to the caller's and keeps root in the saved uid;
raised() takes it back for one step; become_root() gives up the caller's ids
for good just before the runtime is executed, and give_up() gives up root for
good where a run will only print.
"""

import os


def privileged() -> bool:
    """Say whether this process could act as root."""
    return 0 in os.getresuid()


def drop(caller) -> None:
    """Act with the caller's uid, gid and groups until root is raised again."""
    if os.geteuid() != 0 or caller.is_root:
        return
    os.setgroups(caller.groups)
    os.setegid(caller.gid)
    os.seteuid(caller.uid)


def give_up(caller) -> None:
    """Become the caller in every id, for good: nothing after this can be root."""
    if not privileged() or caller.is_root:
        return
    os.seteuid(0)
    os.setgroups(caller.groups)
    os.setresgid(caller.gid, caller.gid, caller.gid)
    os.setresuid(caller.uid, caller.uid, caller.uid)


class raised:
    """Act as root for the body of a with statement, then as the caller again."""

    def __enter__(self):
        self.uid, self.gid = os.geteuid(), os.getegid()
        if self.uid != 0:
            os.seteuid(0)
            os.setegid(0)
        return self

    def __exit__(self, *exc):
        if self.uid != 0:
            os.setegid(self.gid)
            os.seteuid(self.uid)
        return False


def become_root() -> None:
    """Become root in every id, as runtimes expect of a root caller."""
    os.seteuid(0)
    os.setgroups([])
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)


def end_with_parent(number: int, parent: int) -> None:
    """Have the kernel send signal number when parent dies; end now if it has."""
    PR_SET_PDEATHSIG = 1
    prctl(PR_SET_PDEATHSIG, number)
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(128 + number)


def set_no_new_privs() -> None:
    """Forbid every later exec from gaining privilege (setuid, file capabilities)."""
    PR_SET_NO_NEW_PRIVS = 38
    prctl(PR_SET_NO_NEW_PRIVS, 1)  # set already by the launcher: no harm


def prctl(option: int, value: int) -> None:
    """Call prctl(2) with one argument, raising OSError if the kernel refuses."""
    # Loaded here, in the runtime's child only: ctypes costs milliseconds.
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")
