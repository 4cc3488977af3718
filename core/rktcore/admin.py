"""rkt-run-admin: install rkt-run setuid root, check an installation, remove it.

install copies the core and tomli to PREFIX/lib/rkttui, writes the entry
script there, and compiles the launcher (core/launcher/launcher.c) for
exactly one interpreter and that script into PREFIX/bin/rkt-run, owned by
root with mode 4755 (0755 for sites that run it through sudo). Everything it
writes is root's and nobody else may
change it. It refuses, naming each path, when anything the installation
would trust could be changed by someone other than root, and a failed
install leaves nothing behind.

The interpreter is the one running rkt-run-admin (a venv's base Python),
so run it with the system's Python, which every user can execute.
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

from rktcore import integrity, messages
from rktcore.config import DEFAULT_PATH
from rktcore.messages import Refusal, UsageError, err, out

DEFAULT_PREFIX = "/usr/local"
# core/launcher/launcher.c, shipped inside the package (a link in the source
# tree) so that an installed rkttui can build its launcher too.
LAUNCHER_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                               "launcher.c")
# Linked statically: no dynamic loader runs for the setuid file, so there is
# no library search for the caller's environment to steer, and it starts faster.
CFLAGS = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-fPIE", "-static-pie",
          "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2",
          "-Wl,-z,relro,-z,now"]
TOOL_ENVIRONMENT = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"}
ENTRY_SCRIPT = '''\
\"\"\"rkt-run, as installed by rkt-run-admin: the script the setuid launcher runs.

The launcher starts the interpreter isolated and without site (-I -S), so
the standard library and the directory below are all that is on the path.
Before any of it runs, every module file is checked as it is found: one
that anyone but root could have changed, source or bytecode, is never
executed, since this process holds root. The launcher has checked the
interpreter and this script the same way.
\"\"\"

import posix
import sys
from _frozen_importlib_external import PathFinder

INTERPRETER = {interpreter!r}
SITE_CONFIG = {config!r}
LAUNCHER_MODE = {mode!r}
TRUSTED = set()
LINK, SHARED, STICKY_DIRECTORY, KIND = 0o120000, 0o022, 0o41000, 0o171000


def refuse(path):
    \"\"\"Stop at once: root must not run code that others could have changed.\"\"\"
    where = path.encode("utf-8", "surrogateescape")
    posix.write(2, b"rkt-run: refusing to run as root: " + where
                + b" (code) could be changed by someone other than root, or is "
                b"reached through a link; ask your admin to run rkt-run-admin "
                b"check\\n")
    posix._exit(77)


def check(path):
    \"\"\"Refuse path unless it and every directory above it are root's alone.

    Links are refused outright: rkt-run-admin installs no link, and the
    standard library has none on the path that rkt-run imports from.
    \"\"\"
    while path not in TRUSTED:
        try:
            info = posix.lstat(path)
        except FileNotFoundError:
            return  # bytecode never written: nothing to trust
        except OSError:
            refuse(path)
        mode = info.st_mode
        shared = mode & SHARED and mode & KIND != STICKY_DIRECTORY
        if info.st_uid != 0 or shared or mode & 0o170000 == LINK:
            refuse(path)
        TRUSTED.add(path)
        path = path[:path.rindex("/")] or "/"


class TrustedPathFinder(PathFinder):
    \"\"\"Find modules on sys.path as usual, refusing files root cannot trust.\"\"\"

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        spec = super().find_spec(name, path, target)
        if spec is not None and spec.has_location:
            check(spec.origin)
            if spec.cached:
                check(spec.cached)  # the bytecode is what runs, when it exists
        return spec


for module in list(sys.modules.values()):  # found before this script ran
    for attribute in ("__file__", "__cached__"):
        if isinstance(getattr(module, attribute, None), str):
            check(getattr(module, attribute))
sys.meta_path[sys.meta_path.index(PathFinder)] = TrustedPathFinder
# First, so that finding rktcore needs no search of the standard library.
sys.path.insert(0, {lib!r})

from rktcore import config  # noqa: E402
from rktcore.cli import exit_now, main  # noqa: E402

config.DEFAULT_PATH = SITE_CONFIG  # this installation's site config
exit_now(main())  # without the interpreter's teardown, which costs milliseconds
'''


# The entry script runs as __main__ and is never imported: no bytecode for it.
ENTRY_NAME_PATTERN = re.compile(r"rkt-run\.py$")


class Layout:
    """Where an installation under a prefix keeps its files."""

    def __init__(self, prefix: str):
        self.prefix = os.path.realpath(prefix)  # the entry's checks allow no link
        self.bin = os.path.join(self.prefix, "bin")
        self.launcher = os.path.join(self.bin, "rkt-run")
        self.lib_parent = os.path.join(self.prefix, "lib")
        self.lib = os.path.join(self.lib_parent, "rkttui")
        self.entry = os.path.join(self.lib, "rkt-run.py")


def main(argv: list[str] | None = None) -> int:
    """Run rkt-run-admin and return its exit status."""
    messages.PROGRAM = "rkt-run-admin"
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.step(args)
    except Refusal as refusal:
        err(str(refusal))
        return refusal.code


def parser():
    """Return the command-line parser: one subcommand per task."""
    import argparse

    top = argparse.ArgumentParser(prog="rkt-run-admin", description=(
        "Install rkt-run setuid root, check an installation, or remove it."))
    steps = top.add_subparsers(required=True, metavar="COMMAND")
    for name, step, text in (
            ("install", install, "compile the launcher and install rkt-run"),
            ("check", check, "report every problem of an installation and its "
             "config"),
            ("uninstall", uninstall, "remove an installation"),
            ("sudoers", sudoers, "print a sudoers rule equivalent to setuid")):
        command = steps.add_parser(name, help=text, description=text)
        command.set_defaults(step=step)
        command.add_argument("--prefix", default=DEFAULT_PREFIX,
                             help=f"installation prefix (default {DEFAULT_PREFIX})")
        if name in ("install", "check"):
            command.add_argument("--config", help=(
                "the site config; install makes it this installation's "
                f"(default {DEFAULT_PATH}), check checks it instead"))
        if name == "install":
            command.add_argument("--cc", default="cc", help="the C compiler")
            command.add_argument("--no-setuid", action="store_true", help=(
                "install the launcher 0755, for sites that run it through sudo"))
    return top


# install


def install(args) -> int:
    """Install rkt-run under args.prefix, or refuse and change nothing."""
    layout = Layout(args.prefix)
    interpreter = base_interpreter()
    config = os.path.abspath(args.config or DEFAULT_PATH)
    mode = 0o755 if args.no_setuid else 0o4755
    if os.geteuid() != 0:
        raise Refusal("install needs root: it makes files only root may change", 1)
    refuse_problems("install", interpreter_problems(interpreter))
    sources = package_sources()
    refuse_problems("install", install_problems(layout, config, sources))
    compiler = find_compiler(args.cc)
    with Undo() as undo:
        make_directories(layout, undo)
        stage = stage_library(layout, undo, sources, interpreter, config, mode)
        launcher = stage_launcher(layout, undo, compiler, interpreter, mode)
        refuse_problems("install", staged_problems(stage, launcher))
        commit(layout, stage, launcher)
    kind = "for sudo" if args.no_setuid else "setuid root"
    out(f"installed {layout.launcher} ({kind}), running {interpreter} "
        f"on {layout.entry}, site config {config}")
    if not os.path.exists(config):
        out(f"note: {config} does not exist yet; write it, then run "
            f"rkt-run-admin check --prefix {layout.prefix}")
    return 0


def base_interpreter() -> str:
    """Return the real path of the Python running this, outside any venv."""
    return os.path.realpath(getattr(sys, "_base_executable", "") or sys.executable)


def package_sources() -> list[tuple[str, str]]:
    """Return (file, path inside the library) for the core and tomli."""
    import importlib.metadata

    import rktcore

    core = os.path.dirname(os.path.abspath(rktcore.__file__))
    found = []
    for folder, subfolders, files in os.walk(core):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(folder, name)
            if name.endswith(".py") or os.path.basename(folder) == "samples":
                found.append((path, os.path.join(
                    "rktcore", os.path.relpath(path, core))))
    try:
        tomli = importlib.metadata.files("tomli") or []
    except importlib.metadata.PackageNotFoundError:
        raise Refusal(f"tomli is not installed for {sys.executable}; run "
                      "rkt-run-admin from rkttui's own environment", 1) from None
    for file in tomli:
        parts = file.parts
        if ".." in parts or "__pycache__" in parts or parts[0].endswith(".dist-info"):
            continue
        found.append((os.path.abspath(str(file.locate())), str(file)))
    return found


def install_problems(layout, config, sources) -> list[str]:
    """Return every reason not to install: paths root would trust but others own."""
    found = []
    checked: dict[str, str | None] = {}
    for path in (layout.bin, layout.lib_parent):
        found += path_problems(nearest_existing(path), "prefix", checked)
    found += path_problems(nearest_existing(config), "config", checked)
    for source, _ in sources:
        found += path_problems(source, "package", checked)
    for path in (layout.launcher, layout.lib):
        if os.path.islink(path) or (os.path.lexists(path) and not (
                os.path.isfile(path) if path == layout.launcher
                else os.path.isdir(path))):
            found.append(f"{path} is in the way (not what install puts there); "
                         "remove it")
    return found


def interpreter_problems(interpreter: str) -> list[str]:
    """Return what keeps the interpreter and its library from serving rkt-run."""
    import sysconfig

    found = path_problems(interpreter, "interpreter", {})
    found += unreachable(interpreter, stat.S_IXOTH, "interpreter")
    for key in ("stdlib", "platstdlib"):
        library = sysconfig.get_path(key)
        found += path_problems(library, "standard library", {})
        found += unreachable(library, stat.S_IROTH | stat.S_IXOTH,
                             "standard library")
    return list(dict.fromkeys(found))


def path_problems(path: str, what: str, checked: dict) -> list[str]:
    """Return one line per unsafe component of path, each with its fix."""
    lines = []
    for where, problem in integrity.problems(path, checked):
        fix = ("chown root" if "owned by" in problem else
               "chmod go-w" if "writable" in problem else "check it")
        lines.append(f"{where} ({what}) {problem}; {fix} {where}")
    return lines


def unreachable(path: str, mode: int, what: str) -> list[str]:
    """Return a problem if other users cannot reach path with the given bits."""
    lines = []
    current = os.path.realpath(path)
    wanted = mode
    while True:
        try:
            info = os.stat(current)
        except OSError:
            break
        if info.st_mode & wanted != wanted:
            lines.append(f"{current} ({what}) is not reachable by other users "
                         f"(mode {stat.S_IMODE(info.st_mode):04o}); use a "
                         "Python every user can run, e.g. /usr/bin/python3")
        parent = os.path.dirname(current)
        if parent == current:
            break
        current, wanted = parent, stat.S_IXOTH
    return lines


def nearest_existing(path: str) -> str:
    """Return path, or its closest ancestor that exists."""
    while not os.path.lexists(path):
        path = os.path.dirname(path)
    return path


def refuse_problems(task: str, problems: list[str]) -> None:
    """Print each problem on its own line, then refuse the task if there were any."""
    for line in problems:
        err(line)
    if problems:
        raise Refusal(f"refusing to {task}: {len(problems)} problem(s) above; fix "
                      "them and try again", 1)


def find_compiler(cc: str) -> str:
    """Return the C compiler's path, refusing if there is none."""
    found = shutil.which(cc, path=TOOL_ENVIRONMENT["PATH"]) if "/" not in cc else cc
    if not found or not os.access(found, os.X_OK):
        raise Refusal(f"no C compiler {cc!r}; install gcc (apt-get install gcc "
                      "libc6-dev) or name one with --cc", 1)
    return found


class Undo:
    """Remember what an install made, and remove it all if a later step fails."""

    def __init__(self):
        self.paths: list[str] = []

    def made(self, path: str) -> str:
        self.paths.append(path)
        return path

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is not None:
            for path in reversed(self.paths):
                remove(path)
        if isinstance(error, OSError):
            raise Refusal(f"install failed ({error}); nothing was changed", 1)
        return False


def remove(path: str) -> None:
    """Remove a file or a directory tree if it is there."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)


def make_directories(layout, undo: Undo) -> None:
    """Make the prefix, bin and lib directories that are missing, root's, 0755."""
    for path in (layout.bin, layout.lib_parent):
        missing = []
        while not os.path.lexists(path):
            missing.append(path)
            path = os.path.dirname(path)
        for directory in reversed(missing):
            os.mkdir(undo.made(directory), 0o755)
            own(directory, 0o755)


def own(path: str, mode: int) -> None:
    """Make path root's with exactly mode (chown first: it clears setuid)."""
    os.chown(path, 0, 0, follow_symlinks=False)
    os.chmod(path, mode)


def stage_library(layout, undo, sources, interpreter, config, mode) -> str:
    """Build the library beside its final place; return the staging directory."""
    import compileall

    stage = undo.made(tempfile.mkdtemp(prefix=".rkttui-", dir=layout.lib_parent))
    for source, relative in sources:
        target = os.path.join(stage, relative)
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        shutil.copyfile(source, target)
    entry = ENTRY_SCRIPT.format(interpreter=interpreter, config=config,
                                lib=layout.lib, mode=f"{mode:04o}")
    with open(os.path.join(stage, os.path.basename(layout.entry)), "w") as file:
        file.write(entry)
    if not compileall.compile_dir(stage, quiet=1, ddir=layout.lib,
                                  rx=ENTRY_NAME_PATTERN):
        raise Refusal("install failed: the core does not compile; nothing was "
                      "changed", 1)
    for folder, _, files in os.walk(stage):
        own(folder, 0o755)
        for name in files:
            own(os.path.join(folder, name), 0o644)
    return stage


def stage_launcher(layout, undo, compiler, interpreter, mode: int) -> str:
    """Compile the launcher and place it, with its mode, beside its final name."""
    with tempfile.TemporaryDirectory(prefix="rkt-run-build-") as build:
        binary = os.path.join(build, "rkt-run")
        compile_launcher(compiler, interpreter, layout.entry, binary)
        fd, staged = tempfile.mkstemp(prefix=".rkt-run-", dir=layout.bin)
        undo.made(staged)
        with open(fd, "wb") as file, open(binary, "rb") as built:
            shutil.copyfileobj(built, file)
    own(staged, mode)
    return staged


def compile_launcher(compiler: str, interpreter: str, entry: str,
                     output: str) -> None:
    """Compile launcher.c for one interpreter and one entry script."""
    if not os.path.isfile(LAUNCHER_SOURCE):
        raise Refusal(f"launcher source {LAUNCHER_SOURCE} is missing; "
                      "reinstall rkttui", 1)
    defines = [f"-DRKT_INTERPRETER={c_string(interpreter)}",
               f"-DRKT_ENTRY={c_string(entry)}"]
    done = subprocess.run([compiler, *CFLAGS, *defines, "-o", output,
                           LAUNCHER_SOURCE], env=TOOL_ENVIRONMENT,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not os.path.isfile(output):
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise Refusal(f"install failed: {compiler} could not build the launcher "
                      f"({last}); nothing was changed", 1)


def c_string(path: str) -> str:
    """Return path as a C string literal, refusing characters that need escapes."""
    if not path.isprintable() or '"' in path or "\\" in path:
        raise UsageError(f"path {path!r} has quotes, backslashes or control "
                         "characters; choose a plain one")
    return f'"{path}"'


def staged_problems(stage: str, launcher: str) -> list[str]:
    """Return problems of what install itself wrote (none, unless tampered with)."""
    found = tree_problems(stage, "installed file")
    found += path_problems(launcher, "launcher", {})
    return found


def commit(layout, stage: str, launcher: str) -> None:
    """Move the staged library and launcher into place, replacing an old install."""
    old = None
    if os.path.lexists(layout.lib):
        old = tempfile.mkdtemp(prefix=".rkttui-old-", dir=layout.lib_parent)
        os.rename(layout.lib, os.path.join(old, "rkttui"))
    try:
        os.rename(stage, layout.lib)
        os.rename(launcher, layout.launcher)
    except OSError:
        if old:
            remove(layout.lib)
            os.rename(os.path.join(old, "rkttui"), layout.lib)
            remove(old)
        raise
    if old:
        remove(old)


# check


def check(args) -> int:
    """Report every problem of an installation and its config; 0 if there are none."""
    layout = Layout(args.prefix)
    if not os.path.exists(layout.entry):
        raise Refusal(f"no installation under {layout.prefix} ({layout.entry} is "
                      f"missing); run rkt-run-admin install --prefix "
                      f"{layout.prefix}", 1)
    settings = entry_settings(layout.entry)
    interpreter = settings["INTERPRETER"]
    config = os.path.abspath(args.config or settings["SITE_CONFIG"])
    problems = launcher_problems(layout, interpreter,
                                 int(settings.get("LAUNCHER_MODE", "4755"), 8))
    problems += interpreter_problems(interpreter)
    problems += tree_problems(layout.lib, "installed file")
    problems += config_problems(layout, interpreter, config)
    for line in problems:
        err(line)
    if problems:
        err(f"{len(problems)} problem(s) in the installation under "
            f"{layout.prefix} or its config {config}")
        return 1
    out(f"{layout.launcher}: installed OK, site config {config} OK")
    return 0


def entry_settings(entry: str) -> dict:
    """Return the constants install wrote into an entry script."""
    import ast

    with open(entry) as file:
        tree = ast.parse(file.read())
    settings = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                settings[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return settings


def launcher_problems(layout, interpreter: str, mode: int) -> list[str]:
    """Return what is wrong with the installed setuid launcher."""
    try:
        info = os.lstat(layout.launcher)
    except OSError:
        return [f"{layout.launcher} is missing; run rkt-run-admin install"]
    found = path_problems(layout.launcher, "launcher", {})
    if not stat.S_ISREG(info.st_mode):
        return found + [f"{layout.launcher} is not a regular file; remove it and "
                        "run rkt-run-admin install"]
    if stat.S_IMODE(info.st_mode) != mode:
        found.append(f"{layout.launcher} has mode "
                     f"{stat.S_IMODE(info.st_mode):04o}, not {mode:04o} as "
                     "installed; run rkt-run-admin install")
    if not launcher_runs(layout.launcher, interpreter, layout.entry):
        found.append(f"{layout.launcher} was not built for {interpreter} and "
                     f"{layout.entry}; run rkt-run-admin install")
    return found


def launcher_runs(launcher: str, interpreter: str, entry: str) -> bool:
    """Say whether the launcher binary holds exactly these two paths."""
    with open(launcher, "rb") as file:
        binary = file.read()
    return all(b"\0" + path.encode() + b"\0" in binary
               for path in (interpreter, entry))


def tree_problems(root: str, what: str) -> list[str]:
    """Return problems of every file and directory under root, and above it."""
    found = path_problems(root, what, {})
    for folder, subfolders, files in os.walk(root):
        for name in subfolders + files:
            path = os.path.join(folder, name)
            problem = integrity.unsafe(path)
            if problem:
                found.append(f"{path} ({what}) {problem}; rkt-run-admin install "
                             "rewrites it")
            elif not os.lstat(path).st_mode & stat.S_IROTH:
                found.append(f"{path} ({what}) is not readable by other users; "
                             "rkt-run-admin install rewrites it")
    return found


def config_problems(layout, interpreter: str, config: str) -> list[str]:
    """Return what is wrong with the config: its place, its mode, its content."""
    if not os.path.exists(config):
        return [f"{config} (config) does not exist; write it (see the sample "
                "config in README)"]
    found = path_problems(config, "config", {})
    found += unreachable(config, stat.S_IROTH, "config")
    if found:
        return found
    answer = installed_core(interpreter, layout.lib, CONFIG_REPORT, config)
    for line in answer.splitlines():
        kind, _, text = line.partition(" ")
        if kind == "problem":
            found.append(text)
        elif kind == "runtime" and not os.path.lexists(text):
            found.append(f"{text} (runtime) does not exist; install it or "
                         "correct the config")
        elif kind == "runtime":
            found += path_problems(text, "runtime", {})
            if not os.access(text, os.X_OK):
                found.append(f"{text} (runtime) is not executable; install it "
                             "or correct the config")
        elif kind == "audit-log":
            found += path_problems(os.path.dirname(text), "audit log", {})
            if os.path.lexists(text):
                found += path_problems(text, "audit log", {})
    return found


# Run by the installed core itself, so that check judges the config exactly as
# rkt-run will: with the installed copies of rktcore and tomli.
CONFIG_REPORT = """\
import sys
sys.path.append(sys.argv[1])
from rktcore import config
from rktcore.messages import Refusal
try:
    site = config.load(sys.argv[2])
except Refusal as refusal:
    print("problem", refusal)
else:
    print("runtime", site.get(site.runtime))
    if site.get("audit-log"):
        print("audit-log", site.get("audit-log"))
"""


def installed_core(interpreter: str, lib: str, script: str, *args) -> str:
    """Run script with the installed core, as rkt-run would, and return its stdout."""
    done = subprocess.run([interpreter, "-I", "-S", "-B", "-c", script, lib, *args],
                          env=TOOL_ENVIRONMENT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"problem {lib} (installed core) does not run ({last}); run " \
               "rkt-run-admin install"
    return done.stdout


# uninstall and sudoers


def uninstall(args) -> int:
    """Remove the launcher and the library an install put under args.prefix."""
    layout = Layout(args.prefix)
    if os.geteuid() != 0:
        raise Refusal("uninstall needs root", 1)
    removed = []
    if os.path.lexists(layout.launcher):
        if not (os.path.isfile(layout.launcher) and not os.path.islink(
                layout.launcher) and installed_by_us(layout)):
            raise Refusal(f"{layout.launcher} was not installed by rkt-run-admin; "
                          "leaving it, and everything else, in place", 1)
        os.unlink(layout.launcher)
        removed.append(layout.launcher)
    if os.path.isdir(layout.lib) and not os.path.islink(layout.lib):
        shutil.rmtree(layout.lib)
        removed.append(layout.lib)
    out(f"removed {' and '.join(removed)}" if removed
        else f"nothing installed under {layout.prefix}")
    return 0


def installed_by_us(layout) -> bool:
    """Say whether the launcher at layout's place runs layout's entry script."""
    with open(layout.launcher, "rb") as file:
        return b"\0" + layout.entry.encode() + b"\0" in file.read()


def sudoers(args) -> int:
    """Print a sudoers rule that lets every user run rkt-run as root."""
    launcher = Layout(args.prefix).launcher
    out(SUDOERS.format(launcher=launcher).rstrip())
    return 0


SUDOERS = """\
# Lets every user run rkt-run as root through sudo, for sites that prefer sudo
# to a setuid file (install it with rkt-run-admin install --no-setuid then).
# rkt-run acts for the user sudo names in SUDO_UID and SUDO_GID, exactly as
# the setuid launcher acts for the real uid. Install with:
#     visudo -f /etc/sudoers.d/rkt-run
Defaults!{launcher} env_reset, !setenv
ALL ALL=(root) NOPASSWD: {launcher}
"""


if __name__ == "__main__":
    sys.exit(main())
