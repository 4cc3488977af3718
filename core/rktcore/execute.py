"""Execute a plan: the last, privileged steps of a run.

The process becomes the runtime (exec, not fork), so standard streams,
signals and the exit status pass through untouched, and nothing is left to
clean up: the container environment lives in an anonymous memory file that
disappears with the last descriptor to it.
"""

import os

from rktcore import audit, privilege
from rktcore.messages import Exit, Refusal
from rktcore.preview import environment_lines

ENV_FD = 3
RUNTIME_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
}


def run(config, caller, plan, cwd: str):
    """Replace this process by the runtime; return only by raising."""
    memfile = environment_file(environment_lines(plan))

    privilege.become_root()
    audit.record(config, caller, plan, cwd)
    privilege.set_no_new_privs()
    keep_only_standard_streams_and(memfile)

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
    content = "".join(line + "\n" for line in lines).encode()
    os.write(fd, content)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def keep_only_standard_streams_and(memfile: int) -> None:
    """Put the environment file at ENV_FD and close every other descriptor above 2."""
    if memfile != ENV_FD:
        os.dup2(memfile, ENV_FD, inheritable=True)
        os.close(memfile)
    else:
        os.set_inheritable(ENV_FD, True)
    os.closerange(ENV_FD + 1, max_descriptor())


def max_descriptor() -> int:
    """Return one more than the highest descriptor this process may hold."""
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 65536
