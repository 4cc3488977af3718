"""Refuse to act as root on anything an ordinary user could have changed.

A file counts as safe when root owns it and neither group nor others may
write it, and the same holds for every directory above it. A directory that
others may write is safe only if root owns it and its sticky bit is set
(like /tmp): nobody else can then rename or replace what root put there.
"""

import os
import stat
import sys

from rktcore.messages import Refusal

MAX_LINKS = 40  # as the kernel's limit on links followed in one lookup


def check_run(config_path: str, runtime: str) -> None:
    """Check the config, the runtime, the interpreter and every loaded module."""
    checked: dict[str, str | None] = {}
    check_path(config_path, "config", checked)
    check_path(runtime, "runtime", checked)
    check_path(sys.executable, "interpreter", checked)
    for path in loaded_module_files():
        check_path(path, "code", checked)


def loaded_module_files() -> list[str]:
    """Return the files of the modules this process has imported."""
    files = []
    for module in list(sys.modules.values()):
        for attribute in ("__file__", "__cached__"):  # bytecode is code too
            path = getattr(module, attribute, None)
            if isinstance(path, str) and (attribute == "__file__"
                                          or os.path.exists(path)):
                files.append(path)
    return files


def check_path(path: str, what: str, checked: dict) -> None:
    """Refuse path if it, its target or a directory above either is unsafe."""
    for current, problem in problems(path, checked):
        raise Refusal(f"refusing to run as root: {current} ({what}) {problem}; "
                      "ask your admin to run rkt-run-admin check")


def problems(path: str, checked: dict | None = None) -> list[tuple[str, str]]:
    """Return (path, problem) for each unsafe step on the way to path's file.

    The path is walked from / a component at a time, as the kernel resolves
    it: each directory passed through, each link and then the way to its
    target, so a link a user could swap is caught wherever it lies. checked
    maps each path already looked at to its link target (None if not a link);
    those are not looked at again, and every path looked at is added.
    """
    checked = {} if checked is None else checked
    found: list[tuple[str, str]] = []
    resolve(os.path.abspath(path), checked, found)
    return found


def resolve(path: str, checked: dict, found: list, links: int = 0) -> str:
    """Walk path from /, noting each unsafe step in found; return where it leads."""
    current = "/"
    note(current, checked, found)
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            current = os.path.dirname(current)
            continue
        step = os.path.join(current, part)
        target = note(step, checked, found)
        if target is None or links >= MAX_LINKS:
            current = step
        else:
            current = resolve(os.path.join(current, target), checked, found,
                              links + 1)
    return current


def note(path: str, checked: dict, found: list) -> str | None:
    """Add path's problem to found, once per path; return its link target, if any."""
    if path in checked:
        return checked[path]
    try:
        info = os.lstat(path)
    except OSError as error:
        info = None
        problem = f"cannot be checked: {(error.strerror or 'error').lower()}"
    else:
        problem = unsafe_status(info)
    target = None
    if info is not None and stat.S_ISLNK(info.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            pass  # gone since: nothing more to walk
    checked[path] = target
    if problem:
        found.append((path, problem))
    return target


def unsafe(path: str) -> str:
    """Return what makes path unsafe for root to trust, or an empty string."""
    try:
        info = os.lstat(path)
    except OSError as error:
        return f"cannot be checked: {(error.strerror or 'error').lower()}"
    return unsafe_status(info)


def unsafe_status(info: os.stat_result) -> str:
    """Return what makes a file with this lstat() status unsafe, or ""."""
    if stat.S_ISLNK(info.st_mode):
        return "" if info.st_uid == 0 else f"is a link owned by uid {info.st_uid}"
    if info.st_uid != 0:
        return f"is owned by uid {info.st_uid}, not root"
    writable = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    sticky = stat.S_ISDIR(info.st_mode) and info.st_mode & stat.S_ISVTX
    if writable and not sticky:
        who = "others" if info.st_mode & stat.S_IWOTH else f"group {info.st_gid}"
        return f"is writable by {who}"
    return ""
