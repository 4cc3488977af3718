"""Record each privileged run: one line to syslog (authpriv), or to a file.

A run that cannot be recorded in the audit file does not happen.
"""

import os
import stat
import syslog
import time

from rktcore import integrity
from rktcore.messages import Exit, Refusal
from rktcore.preview import command_line


def record(config, caller, plan, cwd: str) -> None:
    """Write the audit line for a run about to execute; control characters escaped."""
    line = audit_line(caller, plan, cwd)
    path = config.get("audit-log")
    if path:
        append(path, line)
    else:
        syslog.openlog("rkt-run", syslog.LOG_PID, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_INFO, line)
        syslog.closelog()


def audit_line(caller, plan, cwd: str) -> str:
    """Return who runs what, where: one line, whatever the caller's words hold."""
    what = f"alias={plan.alias}" if plan.alias else f"image={plan.image}"
    line = (f"caller={caller.username}({caller.uid}) {what} "
            f"cwd={command_line([cwd])} argv={command_line(plan.argv)}")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)


def append(path: str, line: str) -> None:
    """Append one time-stamped line to the audit file, creating it 0600."""
    integrity.check_path(os.path.dirname(os.path.abspath(path)), "audit log", {})
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    entry = f"{stamp} rkt-run[{os.getpid()}]: {line}\n".encode("utf-8",
                                                                "backslashreplace")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as error:
        raise unwritable(path, error.strerror) from None
    try:
        if not root_only(os.fstat(fd)):
            raise unwritable(path, "it is not a file only root may write")
        if os.write(fd, entry) != len(entry):
            raise unwritable(path, "short write")
    except OSError as error:
        raise unwritable(path, error.strerror) from None
    finally:
        os.close(fd)


def root_only(info) -> bool:
    """Say whether an open audit file is a plain file that only root can change."""
    return (stat.S_ISREG(info.st_mode) and info.st_uid == 0 and info.st_nlink == 1
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def unwritable(path: str, reason: str | None) -> Refusal:
    """Return the refusal of a run whose audit line cannot be written."""
    return Refusal(f"cannot write the audit log {path} ({(reason or 'error').lower()})"
                   "; nothing was run; ask your admin to run rkt-run-admin check",
                   Exit.UNAVAILABLE)
