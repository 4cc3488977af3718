"""The setuid launcher alone: what the interpreter it starts gets, and nothing more.

The launcher is compiled here for a probe script instead of rkt-run's entry,
installed setuid root, and run by a test user; the probe reports what it
was given.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, require, require_root
from rktcore import admin
from setuid import root_owned_directory, run_exactly

LAUNCHER_SOURCE = ROOT / "core" / "launcher" / "launcher.c"
INTERPRETER = "/usr/bin/python3.11"
PROBE = """\
import json, os, sys

def no_new_privs():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status
                    if line.startswith("NoNewPrivs:"))

descriptors = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))[:-1]
print(json.dumps({
    "argv": sys.argv[1:],
    "executable": sys.executable,
    "flags": [sys.flags.isolated, sys.flags.no_site, sys.flags.dont_write_bytecode],
    "path": sys.path,
    "resuid": os.getresuid(),
    "environ": dict(os.environ),
    "umask": os.umask(0),
    "no_new_privs": no_new_privs(),
    "descriptors": descriptors,
    "stdin": os.readlink("/proc/self/fd/0"),
}))
"""


@pytest.fixture(scope="module")
def launcher():
    """The launcher compiled for the probe, setuid root in a root-owned directory."""
    require_root()
    require(shutil.which("cc") is not None, "needs a C compiler (gcc)")
    directory = root_owned_directory(prefix="rkttui-launcher-")
    probe = directory / "probe.py"
    probe.write_text(PROBE)
    probe.chmod(0o644)
    binary = directory / "rkt-run"
    admin.compile_launcher(shutil.which("cc"), INTERPRETER, str(probe), str(binary))
    os.chown(binary, 0, 0)
    binary.chmod(0o4755)
    yield binary
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def user(make_user):
    return make_user()


def probe(launcher, user, *args, env=None, **kwargs) -> dict:
    """Run the launcher as user and return what the probe behind it saw."""
    done = run_exactly(user, [launcher, *args], env or {}, cwd="/", **kwargs)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_interpreter_runs_isolated_without_site_or_bytecode_writes(launcher, user):
    seen = probe(launcher, user, env={"PYTHONPATH": "/tmp", "PYTHONHOME": "/tmp"})
    assert seen["executable"] == INTERPRETER
    assert seen["flags"] == [1, 1, 1]
    assert seen["path"] == ["/usr/lib/python311.zip", "/usr/lib/python3.11",
                            "/usr/lib/python3.11/lib-dynload"]


def test_it_runs_with_the_callers_real_uid_and_root_as_effective_uid(launcher, user):
    assert probe(launcher, user)["resuid"] == [user.uid, 0, 0]


def test_every_argument_passes_through_unchanged(launcher, user):
    words = ["", "two words", "line\nbreak", "--user=0", "-I", "$HOME", "é"]
    assert probe(launcher, user, *words)["argv"] == words


def test_the_environment_is_fixed_and_the_callers_is_renamed(launcher, user):
    env = {"HOME": "/home/x", "PATH": "/evil", "LC_ALL": "xx_XX", "A": "b=c"}
    assert probe(launcher, user, env=env)["environ"] == {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LC_ALL": "C.UTF-8",
        "RKT_RUN_LAUNCHER": "1",
        "RKT_RUN_CALLER_HOME": "/home/x",
        "RKT_RUN_CALLER_PATH": "/evil",
        "RKT_RUN_CALLER_LC_ALL": "xx_XX",
        "RKT_RUN_CALLER_A": "b=c",
    }


def test_the_c_library_drops_loader_variables_before_the_launcher_sees_them(
        launcher, user):
    env = {"LD_PRELOAD": "/x.so", "GCONV_PATH": "/x", "TMPDIR": "/x", "KEPT": "1"}
    seen = probe(launcher, user, env=env)["environ"]
    assert [name for name in seen if name.startswith("RKT_RUN_CALLER_")] == [
        "RKT_RUN_CALLER_KEPT"]


@pytest.mark.parametrize("mask", [0o000, 0o077])
def test_the_umask_is_022_whatever_the_callers(launcher, user, mask):
    done = user.run(["sh", "-c", f"umask {mask:03o}; exec {launcher}"], env={},
                    cwd="/")
    assert json.loads(done.stdout)["umask"] == 0o022


def test_no_new_privileges_is_set(launcher, user):
    assert probe(launcher, user)["no_new_privs"] == 1


def test_descriptors_above_the_standard_streams_are_closed(launcher, user):
    extra = [os.open("/dev/null", os.O_RDONLY) for _ in range(2)]
    high = os.dup2(extra[0], 1000)
    try:
        seen = probe(launcher, user, pass_fds=[*extra, high])
    finally:
        for fd in [*extra, high]:
            os.close(fd)
    assert seen["descriptors"] == [0, 1, 2]


def test_a_closed_standard_stream_is_never_left_for_roots_files(launcher, user):
    seen = probe(launcher, user, stdin=None, preexec_fn=lambda: os.close(0))
    # For a setuid program the C library opens /dev/full there itself.
    assert seen["stdin"] in ("/dev/null", "/dev/full")


def test_a_closed_standard_stream_is_opened_on_dev_null_for_root_too(launcher):
    done = subprocess.run([str(launcher)], capture_output=True, text=True, env={},
                          preexec_fn=lambda: os.close(0))
    seen = json.loads(done.stdout)
    assert seen["stdin"] == "/dev/null" and seen["resuid"] == [0, 0, 0]


def test_an_oversized_environment_is_refused_in_one_line(launcher, user):
    env = {f"V{n}": "x" for n in range(5000)}
    done = run_exactly(user, [launcher], env, cwd="/")
    assert done.returncode == 77
    assert done.stderr == ("rkt-run: your environment is too large; unset some "
                           "variables and retry\n")


@pytest.mark.parametrize("unsafe", ["group-writable", "linked"])
def test_a_script_someone_else_could_change_is_never_started(
        launcher, user, unsafe):
    script = launcher.parent / "probe.py"
    original = script.read_text()
    script.write_text(original + "print('the probe ran')\n")
    if unsafe == "group-writable":
        os.chown(script, 0, user.gid)
        script.chmod(0o664)
    else:
        script.rename(launcher.parent / "real.py")
        script.symlink_to(launcher.parent / "real.py")
    try:
        done = run_exactly(user, [launcher], {}, cwd="/")
    finally:
        script.unlink()
        (launcher.parent / "real.py").unlink(missing_ok=True)
        script.write_text(original)
        os.chown(script, 0, 0)
        script.chmod(0o644)
    assert done.returncode == 77 and "the probe ran" not in done.stdout
    assert done.stderr.startswith("rkt-run: ") and "rkt-run-admin check" in done.stderr


def has_loader(path: Path) -> bool:
    """Say whether an ELF64 file names a dynamic loader (a PT_INTERP header)."""
    data = path.read_bytes()
    offset = int.from_bytes(data[0x20:0x28], "little")
    size = int.from_bytes(data[0x36:0x38], "little")
    count = int.from_bytes(data[0x38:0x3a], "little")
    return any(int.from_bytes(data[start:start + 4], "little") == 3
               for start in range(offset, offset + size * count, size))


def test_the_launcher_is_linked_statically_so_no_loader_runs_for_it(launcher):
    assert launcher.read_bytes()[:5] == b"\x7fELF\x02"
    assert not has_loader(launcher)
    assert has_loader(Path(INTERPRETER).resolve())  # the check can tell


def test_the_launcher_compiles_cleanly_under_strict_warnings(tmp_path):
    require(shutil.which("cc") is not None, "needs a C compiler (gcc)")
    done = subprocess.run(
        ["cc", "-std=gnu11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
         '-DRKT_INTERPRETER="/usr/bin/python3"', '-DRKT_ENTRY="/x.py"',
         "-o", str(tmp_path / "launcher"), str(LAUNCHER_SOURCE)],
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_launcher_will_not_compile_without_its_two_paths(tmp_path):
    require(shutil.which("cc") is not None, "needs a C compiler (gcc)")
    done = subprocess.run(["cc", "-o", str(tmp_path / "launcher"),
                           str(LAUNCHER_SOURCE)], capture_output=True, text=True)
    assert done.returncode != 0 and "RKT_INTERPRETER" in done.stderr


def test_the_launcher_stays_short_enough_to_review_in_minutes():
    code = [line for line in Path(LAUNCHER_SOURCE).read_text().splitlines()
            if line.strip() and not line.lstrip().startswith(("/*", "*", "//"))]
    assert len(code) <= 120  # about a hundred lines, as the design says
