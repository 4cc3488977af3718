"""Execute a plan: the last, privileged steps of a run.

The runtime runs as root in a child, and rkt-run waits for it the way sudo
does: a process that is root in every id cannot be signalled by the user
who started it, so rkt-run, which keeps the caller's real uid, takes the
caller's signals and passes them on. Standard streams are shared, and the
runtime's exit status, or the signal that ended it, becomes rkt-run's.
The container environment lives in an anonymous memory file that
disappears with the last descriptor to it, so nothing is left to clean up.
"""

# Every module the exec path needs is loaded with this one, so the integrity
# check that follows its import covers their files too (syslog for audit).
# The exception is ctypes, loaded by the runtime's child for prctl: there the
# launcher's entry script checks it as it is found, and a run by root itself
# needs no check.
import os
import resource
import sys

# The C module: building signal.py's enums would cost a real run milliseconds.
import _signal as signal

from rktcore import audit, privilege
from rktcore.messages import Exit, Refusal, err
from rktcore.preview import environment_lines

ENV_FD = 3
RUNTIME_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
}
# Runtimes read an image word naming an existing file as that file; as root,
# they start where no relative word names anything.
EMPTY_DIRECTORY = "/run/rkt-run/empty"
PYTHON_IGNORED_SIGNALS = (signal.SIGPIPE, signal.SIGXFSZ)
RELAYED_SIGNALS = {signal.SIGHUP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM,
                   signal.SIGUSR1, signal.SIGUSR2}
AWAITED_SIGNALS = RELAYED_SIGNALS | {signal.SIGCHLD}
SI_KERNEL = 0x80  # si_code of a signal the terminal sent to its foreground group


def run(config, caller, plan, cwd: str) -> int:
    """Run the runtime as root in a child; return its exit status."""
    memfile = environment_file(environment_lines(plan))

    with privilege.raised():
        restore_process_state()
        audit.record(config, caller, plan, cwd)

    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the child would hold a copy of what is unwritten
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # an inherited SIG_IGN reaps it
    signal.pthread_sigmask(signal.SIG_BLOCK, AWAITED_SIGNALS)
    parent = os.getpid()
    child = os.fork()
    if child == 0:
        become_runtime(plan, memfile, parent)
    os.close(memfile)

    # As root: the kernel's signal to the runtime when rkt-run dies is sent
    # with rkt-run's rights, and a user may not signal root's runtime. The
    # caller can still signal rkt-run: its real uid stays theirs.
    with privilege.raised():
        return wait_relaying_signals(child)


def become_runtime(plan, memfile: int, parent: int) -> None:
    """In the child: become root for good and execute the runtime; never return."""
    try:
        privilege.become_root()
        # After the ids change, which clears it: if rkt-run is killed outright,
        # the runtime is told to stop, since its user no longer can tell it.
        privilege.end_with_parent(signal.SIGTERM, parent)
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        privilege.set_no_new_privs()
        keep_only_standard_streams_and(memfile)
        enter_empty_directory()
        execute(plan.argv)
    except Refusal as refusal:
        err(str(refusal))
        os._exit(refusal.code)
    except BaseException as error:  # a bug; the child must never go on as rkt-run
        err(f"internal error ({type(error).__name__}: {error}); please report it")
        os._exit(Exit.SOFTWARE)


def execute(argv: list[str]) -> None:
    """Replace the child by the runtime, with the fixed environment."""
    try:
        os.execve(argv[0], argv, RUNTIME_ENVIRONMENT)
    except OSError as error:
        reason = (error.strerror or "cannot execute").lower()
        raise Refusal(f"cannot start the runtime {argv[0]}: {reason}; ask "
                      "your admin to install it or fix the config",
                      Exit.UNAVAILABLE) from None


def enter_empty_directory() -> None:
    """Make EMPTY_DIRECTORY root's if need be, check it is empty, and enter it."""
    for path, mode in ((os.path.dirname(EMPTY_DIRECTORY), 0o755),
                       (EMPTY_DIRECTORY, 0o555)):
        try:
            os.mkdir(path, mode)
        except FileExistsError:
            pass
        except OSError as error:
            raise unusable(path, error.strerror) from None
    fd = os.open(EMPTY_DIRECTORY, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    info = os.fstat(fd)
    if info.st_uid != 0 or info.st_mode & 0o022 or os.listdir(fd):
        raise unusable(EMPTY_DIRECTORY, "it is not an empty directory of root's")
    os.fchdir(fd)
    os.close(fd)


def unusable(path: str, reason: str | None) -> Refusal:
    """Return the refusal of a run that has no empty directory to start in."""
    return Refusal(f"cannot start the runtime in {path} "
                   f"({(reason or 'error').lower()}); ask your admin to remove "
                   "it, and rkt-run makes it again", Exit.UNAVAILABLE)


def wait_relaying_signals(child: int) -> int:
    """Pass the caller's signals on to the runtime until it ends; return its status."""
    while True:
        info = signal.sigwaitinfo(AWAITED_SIGNALS)
        if info.si_signo != signal.SIGCHLD:
            relay(child, info)
            continue
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            return exit_status(status)


def relay(child: int, info) -> None:
    """Send the runtime a signal sent to rkt-run, unless the terminal sent both.

    rkt-run waits as root, which the kernel asks of a signal to root's runtime.
    """
    if info.si_code == SI_KERNEL:
        return  # the runtime is in the terminal's foreground group too
    try:
        os.kill(child, info.si_signo)
    except ProcessLookupError:
        pass


def exit_status(status: int) -> int:
    """Return the runtime's exit status; end by its signal if a signal ended it."""
    if not os.WIFSIGNALED(status):
        return os.waitstatus_to_exitcode(status)
    number = os.WTERMSIG(status)
    if number in RELAYED_SIGNALS or number == signal.SIGPIPE:
        signal.signal(number, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {number})
        os.kill(os.getpid(), number)  # so a shell sees what ended the command
    return 128 + number


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
