"""Attacks on the installed setuid rkt-run by ordinary users, each refused or harmless.

Every hostile environment variable comes with a real payload: a library, a
gconv module, Python code or a program that leaves a mark when it runs. A
control run shows each payload firing where nothing protects against it,
so that its absence under rkt-run means something.
"""

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from conftest import free_uid, require
from rktcore.execute import RUNTIME_ENVIRONMENT
from rktcore.messages import Refusal
from setuid import (installed, one_line, root_owned_directory, run_exactly,
                    sample_config, start_as, user_environment)

PYTHON = "/usr/bin/python3.11"
SECRET = "TOPSECRET-6f1c"
MARKING_LIBRARY = """\
#include <fcntl.h>
#include <unistd.h>
static void mark(void) { int fd = open(MARK, O_WRONLY | O_CREAT, 0644);
                         if (fd >= 0) close(fd); }
__attribute__((constructor)) static void on_load(void) { mark(); }
int gconv_init(void *step) { (void)step; mark(); return 1; }
int gconv(void) { return 1; }
void gconv_end(void *step) { (void)step; }
void rkttui_marking_symbol(void) {}
"""


@pytest.fixture(scope="module")
def site():
    yield from installed()


@pytest.fixture
def user(make_user):
    return make_user()


@pytest.fixture
def configured(site, standin):
    site.configure(sample_config(standin, site))
    return site


def python_marking(mark: Path) -> str:
    """Return one line of Python that makes mark, even before builtins exist."""
    return (f"import posix; posix.close(posix.open({str(mark)!r}, "
            "posix.O_WRONLY | posix.O_CREAT, 0o644))")


class Payloads:
    """Hostile files of every kind, each leaving its own mark in a shared directory."""

    def __init__(self, root: Path):
        self.root = root
        self.marks = root / "marks"
        self.marks.mkdir()
        self.marks.chmod(0o1777)

    def mark(self, name: str) -> Path:
        return self.marks / name

    def clear(self) -> None:
        for mark in self.marks.iterdir():
            mark.unlink()

    def library(self, name: str, path: Path, *flags: str) -> Path:
        """Compile a shared library that marks name when it is loaded."""
        source = self.root / "marking.c"
        source.write_text(MARKING_LIBRARY)
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cc", "-shared", "-fPIC", f'-DMARK="{self.mark(name)}"',
                        *flags, "-o", str(path), str(source)], check=True)
        return path

    def python(self, name: str, path: Path) -> Path:
        """Write Python code that marks name when it runs."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(python_marking(self.mark(name)) + "\n")
        return path

    def program(self, name: str, path: Path) -> Path:
        """Write a program that marks name when it runs."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"#!/bin/sh\n: > {self.mark(name)}\n")
        path.chmod(0o755)
        return path


@pytest.fixture(scope="module")
def payloads():
    """Build every payload once; all users may read them and write marks."""
    require(os.geteuid() == 0, "needs root (setuid files, test users)")
    require(os.path.exists("/usr/bin/cc"), "needs a C compiler (gcc)")
    root = root_owned_directory(prefix="rkttui-payloads-")
    made = Payloads(root)
    made.library("ld_preload", root / "preload.so")
    (root / "zlib.map").write_text(
        "ZLIB_1.2.0 { global: rkttui_marking_symbol; local: *; };\n")
    made.library("ld_library_path", root / "libdir" / "libz.so.1",
                 f"-Wl,--version-script={root / 'zlib.map'}", "-Wl,-soname,libz.so.1")
    made.library("gconv_path", root / "gconv" / "evil.so")
    (root / "gconv" / "gconv-modules").write_text(
        "module  EVIL//  INTERNAL  evil  1\nmodule  INTERNAL  EVIL//  evil  1\n")
    made.python("pythonpath", root / "pythonpath" / "sitecustomize.py")
    made.python("pythonhome", root / "pythonhome" / "lib" / "python3.11"
                / "encodings" / "__init__.py")
    made.python("pythonstartup", root / "startup.py")
    (root / "home" / ".local" / "lib" / "python3.11" / "site-packages").mkdir(
        parents=True)
    (root / "home" / ".local" / "lib" / "python3.11" / "site-packages"
     / "hostile.pth").write_text(python_marking(made.mark("home")) + "\n")
    for program in ("python3", "python3.11", "sh", "rkt", "cc", "id", "env",
                    "getent", "logger"):
        made.program("path", root / "bin" / program)
    for folder, _, files in os.walk(root):
        if folder != str(made.marks):
            os.chmod(folder, 0o755)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o755)
    yield made
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def hostile(payloads) -> dict[str, tuple[dict, list[str]]]:
    """Return name -> (variables, a control command the payload fires in)."""
    root = payloads.root
    return {
        "ld_preload": ({"LD_PRELOAD": str(root / "preload.so")}, ["/bin/true"]),
        "ld_library_path": ({"LD_LIBRARY_PATH": str(root / "libdir")},
                            [PYTHON, "-c", "pass"]),
        "gconv_path": ({"GCONV_PATH": str(root / "gconv"), "CHARSET": "EVIL"},
                       ["/usr/bin/iconv", "-f", "EVIL", "-t", "UTF-8", "/dev/null"]),
        "pythonpath": ({"PYTHONPATH": str(root / "pythonpath")},
                       [PYTHON, "-c", "pass"]),
        "pythonhome": ({"PYTHONHOME": str(root / "pythonhome")},
                       [PYTHON, "-c", "pass"]),
        "home": ({"HOME": str(root / "home")}, [PYTHON, "-c", "pass"]),
        "path": ({"PATH": str(root / "bin")}, ["/bin/sh", "-c", "python3 -V"]),
    }


ATTACKS = ["ld_preload", "ld_library_path", "gconv_path", "pythonpath",
           "pythonhome", "home", "path"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_hostile_variable_never_runs_its_payload(
        configured, standin, user, payloads, attack):
    variables, control = hostile(payloads)[attack]
    env = {**user_environment(user), **variables}
    payloads.clear()
    run_exactly(user, control, env, cwd=user.home)
    assert payloads.mark(attack).exists(), "the payload should fire unprotected"
    payloads.clear()

    preview = configured.run_as(user, "--dry-run", "-v", "bwa", env=env)
    real = configured.run_as(user, "bwa", env=env)

    assert preview.returncode == 0 and real.returncode == 0, real.stderr
    assert not list(payloads.marks.iterdir())
    assert standin.only_record()["environ"] == RUNTIME_ENVIRONMENT


def run_on_terminal(user, argv, env, typed: bytes) -> None:
    """Run argv as user with a terminal as stdin on which typed is waiting."""
    controller, terminal = pty.openpty()
    try:
        os.write(controller, typed)
        process = run_exactly(user, argv, env, cwd=user.home, stdin=terminal,
                              capture_output=False, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=60)
        assert process.returncode is not None
    finally:
        drain(controller)
        os.close(controller)
        os.close(terminal)


def drain(fd: int) -> None:
    while select.select([fd], [], [], 0)[0]:
        try:
            if not os.read(fd, 4096):
                return
        except OSError:
            return


def test_python_inspect_and_startup_never_open_a_prompt(
        configured, standin, user, payloads):
    startup = str(payloads.root / "startup.py")
    env = {**user_environment(user), "PYTHONINSPECT": "1", "PYTHONSTARTUP": startup}
    typed = (python_marking(payloads.mark("inspect")) + "\n\x04").encode()
    run_on_terminal(user, [PYTHON, "-c", "pass"], env, typed)
    run_on_terminal(user, [PYTHON], env, b"\x04")
    assert payloads.mark("inspect").exists() and payloads.mark(
        "pythonstartup").exists(), "the payloads should fire unprotected"
    payloads.clear()

    run_on_terminal(user, [str(configured.launcher), "--dry-run", "bwa"], env, typed)
    run_on_terminal(user, [str(configured.launcher), "bwa"], env, typed)

    assert not list(payloads.marks.iterdir())
    assert len(standin.records()) == 1


def test_hostile_user_home_and_logname_change_nothing(configured, standin, user):
    env = {**user_environment(user), "USER": "root", "LOGNAME": "root",
           "HOME": "/root", "UID": "0"}
    done = configured.run_as(user, "bwa", env=env)
    assert done.returncode == 0, done.stderr
    record = standin.only_record()
    assert f"--user={user.uid}" in record["argv"]
    assert f"home,kind=host,source={user.home}" in record["argv"]
    assert record["env_file"].startswith(f"HOME=/home/{user.name}\n")
    assert f"caller={user.name}({user.uid})" in configured.audit_lines()[0]


def test_a_caller_without_a_passwd_entry_is_refused(configured, standin):
    uid = free_uid(43000)
    done = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}",
                           "--clear-groups", "--", str(configured.launcher), "bwa"],
                          capture_output=True, text=True, cwd="/",
                          env={"PATH": "/usr/bin:/bin", "USER": "root", "HOME": "/"})
    assert f"uid {uid} has no passwd entry" in one_line(done)
    assert standin.records() == [] and configured.audit_lines() == []


# --config: a user may preview with another config, read with their own rights.


@pytest.fixture
def secrets(shared_dir, user):
    """Files a user must learn nothing from, and a link to one in their home."""
    root_only = shared_dir / "root-only.toml"
    root_only.write_text(f'rkt = "/usr/bin/rkt"\n# {SECRET}\n')
    root_only.chmod(0o600)
    shadow = shared_dir / "shadow"
    shadow.write_text(f"root:{SECRET}:19000:0:99999:7:::\n")
    shadow.chmod(0o600)
    locked = shared_dir / "locked"
    locked.mkdir(mode=0o700)
    (locked / "config.toml").write_text(f'rkt = "/usr/bin/rkt"\n# {SECRET}\n')
    (locked / "config.toml").chmod(0o644)
    link = user.home / "innocent.toml"
    link.symlink_to(shadow)
    os.lchown(link, user.uid, user.gid)
    return {"root-only": root_only, "shadow": shadow, "link": link,
            "locked": locked / "config.toml"}


PREVIEWS = [["--dry-run", "-v"], ["--explain"], ["--json"], ["-l"]]


@pytest.mark.parametrize("secret", ["root-only", "shadow", "link", "locked"])
@pytest.mark.parametrize("preview", PREVIEWS, ids=lambda words: words[0])
def test_a_config_the_user_cannot_read_reveals_nothing(
        configured, user, secrets, secret, preview):
    done = configured.run_as(user, *preview, "--config", str(secrets[secret]), "bwa")
    assert "permission denied" in one_line(done)
    assert SECRET not in done.stdout + done.stderr


def test_a_preview_reads_the_users_config_with_no_root_left(
        configured, standin, user):
    fifo = user.home / "config.fifo"
    os.mkfifo(fifo)
    os.chown(fifo, user.uid, user.gid)
    process = start_as(user, [configured.launcher, "--dry-run", "--config", fifo,
                              "bwa"], user_environment(user), cwd=user.home,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writer = open_once_read(fifo, process)
        ids = process_ids(process.pid)
        with os.fdopen(writer, "w") as config:
            config.write(sample_config(standin, configured))
        output, errors = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert ids == {"Uid": [str(user.uid)] * 4, "Gid": [str(user.gid)] * 4}
    assert process.returncode == 0, errors


def open_once_read(fifo, process) -> int:
    """Open fifo for writing as soon as process opens it for reading."""
    while process.poll() is None:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.02)
    raise AssertionError(f"rkt-run ended first: {process.communicate()}")


def process_ids(pid: int) -> dict[str, list[str]]:
    """Return the real, effective, saved and file uids and gids of a process."""
    with open(f"/proc/{pid}/status") as status:
        return {line.split(":")[0]: line.split()[1:] for line in status
                if line.startswith(("Uid:", "Gid:"))}


@pytest.mark.parametrize("path", ["/proc/self/maps", "/proc/self/auxv",
                                  "/proc/self/environ", "/proc/self/mem"])
def test_the_previewing_process_reveals_nothing_of_its_own_proc_files(
        configured, user, path):
    line = one_line(configured.run_as(user, "--dry-run", "--config", path, "bwa"))
    for content in ("r-xp", "[stack]", "python", "RKT_RUN", "PATH="):
        assert content not in line


def test_an_unreadable_directory_hides_whether_a_config_exists(
        configured, user, secrets):
    present = secrets["locked"]
    absent = present.parent / "nothing.toml"
    seen = [configured.run_as(user, "--dry-run", "--config", str(path), "bwa")
            for path in (present, absent)]
    assert seen[0].stderr.replace(present.name, "X") == seen[1].stderr.replace(
        absent.name, "X")
    assert seen[0].returncode == seen[1].returncode


def test_the_site_config_is_read_with_the_callers_rights_not_roots(
        configured, standin, user):
    # Least privilege: a config only root may read cannot be read by the run.
    configured.config.chmod(0o600)
    try:
        done = configured.run_as(user, "bwa")
    finally:
        configured.config.chmod(0o644)
    assert "permission denied" in one_line(done)
    assert standin.records() == []


def test_a_user_may_not_run_with_another_config(configured, standin, user, shared_dir):
    mine = shared_dir / "mine.toml"
    mine.write_text(sample_config(standin, configured).replace(
        "--net=host", "--net=host --privileged"))
    mine.chmod(0o644)
    done = configured.run_as(user, "--config", str(mine), "bwa")
    assert "--config is for root" in one_line(done)
    listing = configured.run_as(user, "--list-images", "--config", str(mine))
    assert "--config is for root" in one_line(listing)
    assert standin.records() == []


def test_a_user_may_name_the_site_config_itself(configured, standin, user):
    # rkt-tui passes its --config on; naming the site's own config is no
    # other config, so it runs and lists as if none were named.
    done = configured.run_as(user, "--config", str(configured.config), "bwa")
    assert done.returncode == 0, done.stderr
    assert len(standin.records()) == 1
    listing = configured.run_as(user, "--config", str(configured.config),
                                "--list-images")
    assert listing.returncode == 0, listing.stderr


# Integrity: nothing root trusts may be changeable by the user.


def refused_for(configured, standin, user, what: str, path, *argv: str) -> None:
    done = configured.run_as(user, *(argv or ["bwa"]))
    line = one_line(done)
    assert f"{path} ({what})" in line and "refusing to run as root" in line
    assert standin.records() == [] and standin.listings() == []


def test_a_config_owned_by_a_user_is_refused(configured, standin, user):
    os.chown(configured.config, user.uid, user.gid)
    refused_for(configured, standin, user, "config", configured.config)


def test_a_config_writable_by_a_group_is_refused(configured, standin, user):
    os.chown(configured.config, 0, user.gid)
    configured.config.chmod(0o664)
    try:
        refused_for(configured, standin, user, "config", configured.config)
    finally:
        os.chown(configured.config, 0, 0)


def test_listing_images_with_a_config_a_group_could_change_is_refused(
        configured, standin, user):
    # Else the group could point rkt at its own program, which root would run.
    os.chown(configured.config, 0, user.gid)
    configured.config.chmod(0o664)
    try:
        refused_for(configured, standin, user, "config", configured.config,
                    "--list-images")
    finally:
        os.chown(configured.config, 0, 0)


def test_listing_images_with_a_runtime_a_user_could_replace_is_refused(
        configured, standin, user):
    os.chown(standin.directory, user.uid, user.gid)
    refused_for(configured, standin, user, "runtime", standin.directory,
                "--list-images")


def test_a_config_directory_writable_by_others_is_refused(configured, standin, user):
    directory = configured.config.parent
    directory.chmod(0o777)
    try:
        refused_for(configured, standin, user, "config", directory)
    finally:
        directory.chmod(0o755)


def test_a_runtime_a_user_could_replace_is_refused(configured, standin, user):
    os.chown(standin.directory, user.uid, user.gid)
    refused_for(configured, standin, user, "runtime", standin.directory)


def planted(module: Path, mark: Path, *, bytecode: bool) -> Path:
    """Add code that makes mark as root to module, or to its bytecode; return it."""
    source = module.read_text()
    payload = (f"import os\nos.seteuid(0)\n{python_marking(mark)}\n{source}")
    if not bytecode:
        module.write_text(payload)
        return module
    import py_compile

    cached = module.parent / "__pycache__" / f"{module.stem}.cpython-311.pyc"
    staged = module.parent / "planted.py"
    staged.write_text(payload)
    # Bytecode marked unchecked is run without comparing it to its source.
    py_compile.compile(str(staged), cfile=str(cached), invalidation_mode=(
        py_compile.PycInvalidationMode.UNCHECKED_HASH))
    staged.unlink()
    return cached


@pytest.mark.parametrize("bytecode", [False, True], ids=["source", "bytecode"])
def test_installed_code_a_group_could_change_never_runs(
        configured, standin, user, payloads, bytecode):
    module = configured.entry.parent / "rktcore" / "plan.py"
    original = module.read_bytes()
    cached = module.parent / "__pycache__" / "plan.cpython-311.pyc"
    compiled = cached.read_bytes()
    changed = planted(module, payloads.mark("code"), bytecode=bytecode)
    os.chown(changed, 0, user.gid)
    changed.chmod(0o664)
    try:
        refused_for(configured, standin, user, "code", changed)
    finally:
        module.write_bytes(original)
        cached.write_bytes(compiled)
        for path in (module, cached):
            os.chown(path, 0, 0)
            path.chmod(0o644)
    assert not payloads.mark("code").exists()


def test_a_runtime_reached_through_a_users_link_is_refused(
        configured, standin, user, shared_dir):
    # A root-owned link to a user's link in /tmp, which the user may swap.
    users_link = Path(f"/tmp/rkttui-link-{user.uid}")
    users_link.symlink_to(standin.path)
    os.lchown(users_link, user.uid, user.gid)
    site_link = shared_dir / "rkt-link"
    site_link.symlink_to(users_link)
    configured.configure(configured.config.read_text().replace(
        str(standin.path), str(site_link)))
    try:
        refused_for(configured, standin, user, "runtime", users_link)
    finally:
        users_link.unlink()


# Words: a user's word never becomes a runtime option.


def test_arguments_shaped_as_runtime_flags_stay_arguments(configured, standin, user):
    words = ["--user=0", "--exec=/bin/sh", "--mount", "volume=root,target=/",
             "--insecure-options=all"]
    done = configured.run_as(user, "bwa", *words)
    assert done.returncode == 0, done.stderr
    argv = standin.only_record()["argv"]
    end = argv.index("--")
    assert argv[end + 1:] == words
    assert [w for w in argv[:end] if w.startswith("--user")] == [f"--user={user.uid}"]


def test_arguments_to_an_image_without_exec_stay_arguments(configured, standin, user):
    done = configured.run_as(user, "-n", "example.org/tool:1", "--user=0", "--exec=sh")
    assert done.returncode == 0, done.stderr
    argv = standin.only_record()["argv"]
    assert argv[argv.index("--"):] == ["--", "--user=0", "--exec=sh"]


@pytest.mark.parametrize("words, says", [
    (["bwa", "x", "---", "--exec=/bin/sh"], '"---" would start a second app'),
    (["--", "--user=0"], 'starts with "-"'),
    (["-e", "--privileged", "example.org/tool:1"], 'starts with "-"'),
    (["--user=0", "bwa"], 'unknown option "--user"'),
    (["--volume", "root", "bwa"], 'volume "root" is not on-request'),
])
def test_words_that_would_become_runtime_options_are_refused(
        configured, standin, user, words, says):
    assert says in one_line(configured.run_as(user, *words))
    assert standin.records() == []


# The container environment: one NAME=VALUE per line, names within bounds.


@pytest.mark.parametrize("setting", ["A=x\nLD_PRELOAD=/tmp/x.so", "A=x\rB=y",
                                     "A-B=1", "=x", "1A=2", "A B=1"])
def test_set_env_that_would_break_the_env_file_is_refused(
        configured, standin, user, setting):
    one_line(configured.run_as(user, "--set-env", setting, "bwa"))
    assert standin.records() == []


def test_a_nul_in_set_env_is_refused_by_the_plan():
    from rktcore import config
    from rktcore.identity import Caller
    from rktcore.plan import Request, make_plan

    site = config.parse("site", b'rkt = "/usr/bin/rkt"\n')
    caller = Caller(4242, 4242, [], "someone", "/home/someone")
    with pytest.raises(Refusal, match="line break|not a variable"):
        make_plan(site, caller, Request(image="x", set_env=["A=x\0B=y"]), {}, "/")


def test_a_line_break_in_a_variable_a_template_uses_is_refused(
        configured, standin, user):
    env = {**user_environment(user), "http_proxy": "http://p\nLD_PRELOAD=/x.so"}
    assert "line break" in one_line(configured.run_as(user, "bwa", env=env))
    assert standin.records() == []


def test_a_line_break_in_a_variable_no_template_uses_is_harmless(
        configured, standin, user):
    env = {**user_environment(user), "UNUSED": "x\nLD_PRELOAD=/x.so"}
    done = configured.run_as(user, "bwa", env=env)
    assert done.returncode == 0, done.stderr
    assert "LD_PRELOAD" not in standin.only_record()["env_file"]


def test_names_outside_the_admins_bounds_are_refused(site, standin, user):
    site.configure(sample_config(standin, site, '\n[allow]\nset-env = ["OMP_*"]\n'))
    assert "does not let you set LD_PRELOAD" in one_line(
        site.run_as(user, "--set-env", "LD_PRELOAD=/x.so", "bwa"))
    assert standin.records() == []
    done = site.run_as(user, "--set-env", "OMP_NUM_THREADS=4", "bwa")
    assert done.returncode == 0, done.stderr
    assert standin.only_record()["env_file"].endswith("OMP_NUM_THREADS=4\n")


@pytest.mark.parametrize("extra", [
    '[options.batch]\nrun = ["--volume=x,kind=host,source={{.HOME}}"]\n',
    '[volume.mine]\nvolume = "kind=host,source={{.SCRATCH}}"\nmount = "target=/s"\n',
])
def test_environment_variables_in_option_or_volume_templates_refuse_the_config(
        site, standin, user, extra):
    site.configure(sample_config(standin, site, "\n" + extra))
    env = {**user_environment(user), "SCRATCH": "/etc"}
    line = one_line(site.run_as(user, "bwa", env=env))
    assert "may be used outside environment tables" in line
    assert str(site.config) in line
    assert standin.records() == []


def test_a_huge_environment_is_refused_in_one_line(configured, standin, user):
    env = {**user_environment(user),
           **{f"FILLER_{n}": "x" * 100 for n in range(5000)}}
    assert "environment is too large" in one_line(configured.run_as(user, "bwa",
                                                                     env=env))
    assert standin.records() == []


EMPTY_ARGV = """\
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
nothing = (ctypes.c_char_p * 1)(None)
libc.execve(sys.argv[1].encode(), nothing, nothing)
"""


def test_starting_the_launcher_with_no_arguments_at_all_runs_nothing(
        configured, standin, user):
    # Older kernels pass argc 0 (the pkexec hole); newer ones pass one empty word.
    done = user.run([PYTHON, "-c", EMPTY_ARGV, str(configured.launcher)], cwd="/",
                    env={})
    line = one_line(done)
    assert "without a program name" in line or "no image or alias given" in line
    assert standin.records() == []
