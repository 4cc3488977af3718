"""Record each privileged run: one line to syslog (authpriv), or to a file."""

import os
import time

from rktcore.preview import command_line


def record(config, caller, plan, cwd: str) -> None:
    """Write the audit line for a run about to execute; control characters escaped."""
    line = (f"caller={caller.username}({caller.uid}) "
            f"{'alias=' + plan.alias if plan.alias else 'image=' + plan.image} "
            f"cwd={command_line([cwd])} argv={command_line(plan.argv)}")
    line = "".join(c if c.isprintable() else repr(c)[1:-1] for c in line)
    path = config.get("audit-log")
    if path:
        append(path, line)
    else:
        import syslog

        syslog.openlog("rkt-run", syslog.LOG_PID, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_INFO, line)
        syslog.closelog()


def append(path: str, line: str) -> None:
    """Append one time-stamped line to the audit file, creating it 0600."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600)
    try:
        os.write(fd, f"{stamp} rkt-run[{os.getpid()}]: {line}\n".encode())
    finally:
        os.close(fd)
