"""Execute a plan: the last, privileged steps of a run.

The process becomes the runtime (exec, not fork), so standard streams,
signals and the exit status pass through untouched, and nothing is left to
clean up: the container environment lives in an anonymous memory file that
disappears with the last descriptor to it.
"""

# Every module the exec path needs is loaded with this one, so the integrity
# check that follows its import covers their files too: ctypes for
# privilege.set_no_new_privs, syslog for audit.
import ctypes  # noqa: F401
import os
import resource

# The C module: building signal.py's enums would cost a real run milliseconds.
import _signal as signal

from rktcore import audit, privilege
from rktcore.messages import Exit, Refusal
from rktcore.preview import environment_lines

ENV_FD = 3
RUNTIME_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
}
PYTHON_IGNORED_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ)


def run(config, caller, plan, cwd: str):
    """Replace this process by the runtime; return only by raising."""
    memfile = environment_file(environment_lines(plan))

    privilege.become_root()
    restore_process_state()
    audit.record(config, caller, plan, cwd)
    privilege.set_no_new_privs()
    keep_only_standard_streams_and(memfile)
    # Runtimes read an image word naming an existing file as that file; as
    # root, never in the caller's directory (preserve-cwd passes it on).
    os.chdir("/")

    try:
        os.execve(plan.argv[0], plan.argv, RUNTIME_ENVIRONMENT)
    except OSError as error:
        reason = (error.strerror or "cannot execute").lower()
        raise Refusal(f"cannot start the runtime {plan.argv[0]}: {reason}; ask "
                      "your admin to install it or fix the config",
                      Exit.UNAVAILABLE) from None


def environment_file(lines: list[str]) -> int:
    """Return a descriptor of an anonymous file holding NAME=VALUE lines."""
    fd = os.memfd_create("rkt-run-env", os.MFD_CLOEXEC)
    # Values come from the caller's environment as the kernel gave them:
    # bytes that are not UTF-8 go into the file unchanged.
    content = "".join(line + "\n" for line in lines).encode("utf-8",
                                                            "surrogateescape")
    if os.write(fd, content) != len(content):  # a file size limit, say
        raise Refusal("cannot write the container environment in full; raise "
                      "your file size limit (ulimit -f)")
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def keep_only_standard_streams_and(memfile: int) -> None:
    """Put the environment file at ENV_FD and close every other descriptor above 2."""
    if memfile != ENV_FD:
        os.dup2(memfile, ENV_FD, inheritable=True)
        os.close(memfile)
    else:
        os.set_inheritable(ENV_FD, True)
    for name in os.listdir("/proc/self/fd"):  # however high: limits can be lowered
        if int(name) > ENV_FD:
            try:
                os.close(int(name))
            except OSError:
                pass  # the listing's own descriptor, closed by now


def restore_process_state() -> None:
    """Undo what Python and the caller set that root's runtime must not inherit.

    Python ignores SIGPIPE and SIGXFSZ for itself, and a caller's file size
    limit would make root write truncated files (the audit log, the runtime's
    own state), so both go back to what a plain root process has.
    """
    for number in PYTHON_IGNORED_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    unlimited = resource.RLIM_INFINITY
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (unlimited, unlimited))
    except (ValueError, OSError):  # root without CAP_SYS_RESOURCE: up to hard
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        resource.setrlimit(resource.RLIMIT_FSIZE, (hard, hard))
    os.umask(0o022)
