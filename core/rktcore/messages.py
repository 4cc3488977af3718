"""Say things to the user: one line each, prefixed with the program's name."""

import sys

PROGRAM = "rkt-run"


class Exit:
    """Exit statuses of rkt-run itself (sysexits.h); a runtime's pass through."""

    OK = 0
    USAGE = 64
    UNAVAILABLE = 69
    SOFTWARE = 70
    REFUSED = 77
    CONFIG = 78


class Refusal(Exception):
    """A request rkt-run will not carry out; the message is the user's one line."""

    code = Exit.REFUSED

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class UsageError(Refusal):
    """The command line itself is wrong."""

    code = Exit.USAGE


class ConfigError(Refusal):
    """The site's config is wrong; the message names the file and the key."""

    code = Exit.CONFIG


def err(message: str) -> None:
    """Write one line for the user on stderr."""
    sys.stderr.write(f"{PROGRAM}: {message}\n")
    sys.stderr.flush()


def out(text: str) -> None:
    """Write text and a newline on stdout."""
    sys.stdout.write(text + "\n")


def out_lines(lines) -> None:
    """Write each line and a newline on stdout, as they come."""
    sys.stdout.writelines(line + "\n" for line in lines)
