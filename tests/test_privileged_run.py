"""Real privileged runs by users of the installed setuid rkt-run.

The runtime is the recording stand-in; what it records is what a real rkt
would have received.
"""

import contextlib
import json
import os
import signal
import subprocess
import time

import pytest

from conftest import require
from rktcore.execute import EMPTY_DIRECTORY, RUNTIME_ENVIRONMENT
from setuid import installed, one_line, sample_config, user_environment

GROUPS = """\
supplementary-groups = true
"""
WHO = """
[alias.who]
image = "example.org/who:1"
[alias.who.environment]
RUN_TAG = "{{.RUN_TAG}}"
"""


@pytest.fixture(scope="module")
def site():
    yield from installed()


@pytest.fixture
def user(make_user):
    return make_user()


def configure(site, standin, extra: str = "", top: str = "") -> None:
    site.configure(sample_config(standin, site, extra, top))


def test_the_runtime_runs_as_root_in_every_id(site, standin, user):
    configure(site, standin)
    done = site.run_as(user, "bwa", "index", "ref.fa")
    assert done.returncode == 0, done.stderr
    record = standin.only_record()
    assert record["resuid"] == [0, 0, 0]
    assert record["resgid"] == [0, 0, 0]
    assert record["groups"] == []


def test_the_container_runs_as_the_caller(site, standin, user):
    configure(site, standin)
    site.run_as(user, "bwa", "index", "ref.fa")
    argv = standin.only_record()["argv"]
    assert argv[argv.index("--exec") - 2:] == [
        f"--user={user.uid}", f"--group={user.gid}", "--exec", "bwa", "--",
        "index", "ref.fa"]
    assert f"home,kind=host,source={user.home}" in argv


def test_the_runtime_cannot_gain_privilege_by_exec(site, standin, user):
    configure(site, standin)
    site.run_as(user, "bwa")
    assert standin.only_record()["no_new_privs"] == 1


def test_the_runtime_gets_a_clean_fixed_environment(site, standin, user):
    configure(site, standin)
    hostile = {**user_environment(user), "LD_PRELOAD": "/x.so", "PYTHONPATH": "/x",
               "http_proxy": "http://proxy:3128", "BASH_ENV": "/x.sh"}
    site.run_as(user, "bwa", env=hostile)
    assert standin.only_record()["environ"] == RUNTIME_ENVIRONMENT


def test_the_env_file_holds_the_container_environment(site, standin, user):
    configure(site, standin)
    env = {**user_environment(user), "http_proxy": "http://proxy:3128"}
    site.run_as(user, "--set-env", "SAMPLE=a b", "bwa", env=env)
    assert standin.only_record()["env_file"] == (
        f"HOME=/home/{user.name}\nhttp_proxy=http://proxy:3128\nSAMPLE=a b\n")


def test_the_runtime_inherits_only_standard_streams_and_the_env_file(
        site, standin, user, tmp_path):
    configure(site, standin)
    extra = [os.open("/dev/null", os.O_RDONLY) for _ in range(3)]
    high = os.dup2(extra[0], 900)
    try:
        site.run_as(user, "bwa", pass_fds=[*extra, high])
    finally:
        for fd in [*extra, high]:
            os.close(fd)
    assert standin.only_record()["fds"] == [0, 1, 2, 3]


def test_the_runtime_starts_where_no_relative_image_word_names_a_file(
        site, standin, user):
    # rkt takes an image word naming an existing file for that file, read as
    # root: from the caller's directory, or from / for "home/USER/evil.aci".
    configure(site, standin)
    image = user.home / "quay.io" / "biocontainers" / "bwa:0.7.15--0"
    image.parent.mkdir(parents=True)
    image.write_text("a file a runtime would take for the alias's image\n")
    (user.home / "evil.aci").write_text("an image of the user's own\n")
    word = str(user.home / "evil.aci").lstrip("/")
    for argv in (["bwa"], [word]):
        done = site.run_as(user, *argv)
        assert done.returncode == 0, done.stderr
    for record in standin.records():
        assert record["cwd"] == EMPTY_DIRECTORY
    assert os.listdir(EMPTY_DIRECTORY) == []
    assert f"cwd={user.home}" in site.audit_lines()[0]


@pytest.mark.parametrize("status", [0, 1, 7, 125])
def test_rkt_run_exits_with_the_runtimes_status(site, standin, user, status):
    configure(site, standin)
    standin.exit_with(status)
    assert site.run_as(user, "bwa").returncode == status


def runtime_of(process) -> int:
    """Wait until the runtime that process started catches SIGINT and SIGTERM."""
    wanted = (1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1))
    while process.poll() is None:
        for pid in children(process.pid):
            if is_the_runtime(pid) and caught_signals(pid) & wanted == wanted:
                return pid
        time.sleep(0.05)
    raise AssertionError("rkt-run ended before the runtime started waiting")


def children(pid: int) -> list[int]:
    """Return the pids of pid's children."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as listing:
            return [int(child) for child in listing.read().split()]
    except OSError:
        return []


def caught_signals(pid: int) -> int:
    """Return the mask of signals pid catches, or 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1], 16) for line in status
                        if line.startswith("SigCgt:"))
    except OSError:
        return 0


def is_the_runtime(pid: int) -> bool:
    """Say whether pid now runs the stand-in (Python's own handlers catch SIGINT)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().split(b"\0")[2].endswith(b"/rkt")
    except (OSError, IndexError):
        return False


def child_running(process, program: str) -> int:
    """Wait until a child of process runs program (by its name); return its pid."""
    while process.poll() is None:
        for pid in children(process.pid):
            if command_name(pid) == program:
                return pid
        time.sleep(0.02)
    raise AssertionError(f"rkt-run ended before {program} started")


def command_name(pid: int) -> str | None:
    """Return the name of the program pid runs, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().rstrip("\n")
    except OSError:
        return None


def alive(pid: int) -> bool:
    """Say whether pid still runs (a zombie has ended: its parent may not reap)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def end_for_good(pid: int) -> None:
    """Kill pid if it still runs, and wait until it has ended."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while alive(pid):
        assert time.monotonic() < deadline, f"process {pid} outlived SIGKILL"
        time.sleep(0.02)


def as_user(user) -> list[str]:
    """Return the words that run the command after them as user, with their groups."""
    return ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}",
            "--init-groups", "--"]


@contextlib.contextmanager
def waiting_run(site, standin, user, env=None, where=None):
    """Start rkt-run bwa as user, its runtime waiting; yield it; kill it if left.

    Args:
        env: the caller's environment; a login shell's if None.
        where: FreshTemporaryDirectories to run in, if not the machine's own.
    """
    configure(site, standin)
    standin.sleep_for(60)
    entering = where.entering(user.home) if where else []
    process = subprocess.Popen(
        [*entering, *as_user(user), str(site.launcher), "bwa"],
        env=env or user_environment(user), cwd=user.home,
        stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            runtimes = children(process.pid)
            process.kill()
            process.wait()
            for runtime in runtimes:  # root's: it would outlive rkt-run
                end_for_good(runtime)


@pytest.mark.parametrize("sender", ["user", "root"])
@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_rkt_run_reaches_the_runtime(
        site, standin, user, number, sender):
    with waiting_run(site, standin, user) as process:
        runtime = runtime_of(process)
        if sender == "root":
            os.kill(process.pid, number)
        else:  # as kill(1) or timeout(1) would, with the user's own rights
            user.run(["kill", f"-{int(number)}", str(process.pid)], check=True)
        status = process.wait(timeout=30)
    # The runtime ended by exiting 128 + number, which rkt-run passes on.
    assert status == 128 + number
    received = standin.directory / "records" / f"{runtime}.signal"
    assert received.read_text() == str(int(number))


def test_rkt_run_killed_outright_tells_the_runtime_to_stop(site, standin, user):
    # The runtime is root's, so the user could not stop it once rkt-run, which
    # relays their signals, is gone: the kernel tells it instead.
    with waiting_run(site, standin, user) as process:
        runtime = runtime_of(process)
        user.run(["kill", "-KILL", str(process.pid)], check=True)
        assert process.wait(timeout=30) == -signal.SIGKILL
        deadline = time.monotonic() + 30
        while alive(runtime):
            assert time.monotonic() < deadline, "the runtime outlived rkt-run"
            time.sleep(0.02)
    received = standin.directory / "records" / f"{runtime}.signal"
    assert received.read_text() == str(int(signal.SIGTERM))


def test_a_runtime_killed_outright_gives_128_plus_the_signal(site, standin, user):
    with waiting_run(site, standin, user) as process:
        os.kill(runtime_of(process), signal.SIGKILL)
        status = process.wait(timeout=30)
    assert status == 128 + signal.SIGKILL


def run_with_groups(site, user, groups: str):
    """Run rkt-run as user with exactly these supplementary groups in the kernel."""
    return subprocess.run(
        ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}",
         f"--groups={groups}", "--", str(site.launcher), "bwa"],
        env=user_environment(user), cwd=user.home, capture_output=True, text=True)


def test_supplementary_groups_come_from_the_kernel(site, standin, user):
    configure(site, standin, top=GROUPS)
    done = run_with_groups(site, user, "4242,4343")  # in no group database
    assert done.returncode == 0, done.stderr
    assert "--supplementary-gids=4242,4343" in standin.only_record()["argv"]


def test_supplementary_groups_are_left_out_unless_the_config_asks(
        site, standin, user):
    configure(site, standin)
    run_with_groups(site, user, "4242")
    argv = standin.only_record()["argv"]
    assert not [word for word in argv if word.startswith("--supplementary-gids")]


def test_each_run_writes_one_audit_line(site, standin, user):
    configure(site, standin)
    site.run_as(user, "bwa", "mem", "it's\nhere")
    [line] = site.audit_lines()
    assert f"caller={user.name}({user.uid}) alias=bwa_ cwd={user.home} " in line
    assert line.endswith("--exec bwa -- mem 'it'\"'\"'s\\nhere'")


# A run with no audit-log key, in a private mount namespace whose /dev holds
# only null and a syslog socket of the test's: prints what syslog received.
LISTEN_AS_SYSLOG = r"""
import ctypes, json, os, socket, subprocess, sys

libc = ctypes.CDLL(None, use_errno=True)
def mount(source, target, kind, flags):
    if libc.mount(source.encode(), target.encode(), kind and kind.encode(),
                  flags, None) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}")

old_dev = os.open("/dev", os.O_PATH | os.O_DIRECTORY)
mount("fresh", "/dev", "tmpfs", 0)
open("/dev/null", "w").close()
mount(f"/proc/self/fd/{old_dev}/null", "/dev/null", None, 4096)
log = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
log.bind("/dev/log")
os.chmod("/dev/log", 0o666)
uid, gid, home, launcher = sys.argv[1:]
done = subprocess.run(
    ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--init-groups", "--",
     launcher, "bwa", "mem"], env={"PATH": "/usr/bin:/bin", "HOME": home},
    cwd=home, capture_output=True, text=True)
log.settimeout(5)
print(json.dumps({"status": done.returncode, "stderr": done.stderr,
                  "received": log.recv(65536).decode()}))
"""


def test_without_an_audit_log_each_run_goes_to_syslog_authpriv(
        site, standin, user):
    site.configure(sample_config(standin, site).replace(
        f'audit-log = "{site.audit_log}"\n', ""))
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "/usr/bin/python3",
         "-I", "-c", LISTEN_AS_SYSLOG, str(user.uid), str(user.gid),
         str(user.home), str(site.launcher)], capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == 0, report["stderr"]
    authpriv_info = 10 * 8 + 6
    assert report["received"].startswith(f"<{authpriv_info}>")
    assert "rkt-run[" in report["received"]
    assert f"caller={user.name}({user.uid}) alias=bwa_ cwd={user.home}" in (
        report["received"])
    assert report["received"].endswith("--exec bwa -- mem")


def test_a_run_that_cannot_be_audited_does_not_happen(site, standin, user):
    configure(site, standin)
    site.audit_log.mkdir()
    try:
        done = site.run_as(user, "bwa")
    finally:
        site.audit_log.rmdir()
    assert "cannot write the audit log" in one_line(done)
    assert standin.records() == []


def test_an_audit_log_a_user_could_change_refuses_the_run(site, standin, user):
    configure(site, standin)
    site.audit_log.write_text("")
    os.chown(site.audit_log, user.uid, user.gid)
    done = site.run_as(user, "bwa")
    assert "cannot write the audit log" in one_line(done)
    assert standin.records() == []


def test_closed_standard_streams_never_receive_roots_files(site, standin, user):
    configure(site, standin)
    done = site.run_as(user, "--set-env", "TOKEN=abc123", "bwa", stdout=None,
                       capture_output=False, stderr=subprocess.DEVNULL,
                       preexec_fn=lambda: os.close(1))
    assert done.returncode == 0
    [line] = site.audit_lines()
    assert "abc123" not in site.audit_log.read_text()
    assert standin.only_record()["env_file"].endswith("TOKEN=abc123\n")


def test_the_runtime_starts_with_default_signal_handling_and_no_file_size_limit(
        site, shared_dir, user):
    # A soft limit: lifting a hard one needs CAP_SYS_RESOURCE, which root
    # lacks on some machines (containers among them).
    probe = shared_dir / "probe-runtime"
    probe.write_text("#!/bin/sh\n"
                     f"grep -E '^Sig(Ign|Blk):' /proc/self/status > {shared_dir}/seen\n"
                     f"ulimit -f >> {shared_dir}/seen\n")
    probe.chmod(0o755)
    site.configure(f'rkt = "{probe}"\n[alias.tool]\nimage = "example.org/tool:1"\n')
    done = user.run(["sh", "-c", f"ulimit -S -f 64; exec {site.launcher} tool"],
                    env=user_environment(user), cwd=user.home)
    assert done.returncode == 0, done.stderr
    *signals, size_limit = (shared_dir / "seen").read_text().splitlines()
    assert sorted(signals) == ["SigBlk:\t" + "0" * 16, "SigIgn:\t" + "0" * 16]
    assert size_limit == "unlimited"


def test_list_images_through_the_launcher_asks_the_runtime_as_root(
        site, standin, user):
    configure(site, standin)
    images = [{"id": "sha512-1", "name": "quay.io/biocontainers/bwa:0.7.15--0",
               "size": 2048, "import_time": 1, "last_used_time": 2},
              {"id": "sha512-2", "name": "example.org/other:1", "size": 10,
               "import_time": 1, "last_used_time": 2}]
    standin.offer_images(images)
    done = site.run_as(user, "--list-images", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == images
    plain = site.run_as(user, "--list-images")
    assert "quay.io/biocontainers/bwa:0.7.15--0  2.0 KiB  sha512-1" in plain.stdout
    listing = standin.listings()[0]
    # Root in every id, with no group of the caller's, as the runtime of a run.
    assert listing["resuid"] == [0, 0, 0] and listing["resgid"] == [0, 0, 0]
    assert listing["groups"] == []
    assert listing["environ"] == RUNTIME_ENVIRONMENT
    assert listing["fds"] == [0, 1, 2]


def test_list_images_keeps_only_aliased_images_where_the_site_restricts(
        site, standin, user):
    configure(site, standin, top="restrict-images = true\n")
    standin.offer_images([{"id": "a", "name": "quay.io/biocontainers/bwa:0.7.15--0"},
                          {"id": "b", "name": "example.org/other:1"}])
    done = site.run_as(user, "--list-images", "--json")
    assert [image["id"] for image in json.loads(done.stdout)] == ["a"]


def test_an_empty_image_list_is_empty(site, standin, user):
    configure(site, standin)
    done = site.run_as(user, "--list-images", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


def test_under_sudo_rkt_run_acts_for_the_user_sudo_names(site, standin, user):
    configure(site, standin)
    env = {"PATH": "/usr/bin:/bin", "SUDO_UID": str(user.uid),
           "SUDO_GID": str(user.gid), "SUDO_USER": user.name}
    done = subprocess.run([str(site.launcher), "bwa"], env=env, cwd="/",
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    argv = standin.only_record()["argv"]
    assert f"--user={user.uid}" in argv and f"--group={user.gid}" in argv
    assert f"caller={user.name}({user.uid})" in site.audit_lines()[0]


def test_without_the_setuid_install_a_user_is_told_what_to_ask(site, standin, user):
    configure(site, standin)
    direct = ["/usr/bin/python3.11", "-I", "-S", str(site.entry), "bwa"]
    done = user.run(direct, env=user_environment(user), cwd=user.home)
    message = one_line(done)
    assert "not installed setuid root" in message
    assert "rkt-run-admin install" in message
    assert standin.records() == []


@pytest.mark.parametrize("option", ["--dry-run", "--explain", "--json", "-l"])
def test_without_the_setuid_install_previews_still_work(site, standin, user, option):
    configure(site, standin)
    direct = ["/usr/bin/python3.11", "-I", "-S", str(site.entry), option, "bwa"]
    done = user.run(direct, env=user_environment(user), cwd=user.home)
    assert done.returncode == 0, done.stderr
    assert standin.records() == []


TEMPORARY_PLACES = ("/tmp", "/var/tmp", "/run", "/dev/shm")

# Holds a private mount namespace, until its standard input closes, whose
# temporary directories are fresh and empty but for the directories that
# runs need, bound in from the machine's /tmp: whatever a run started in it
# leaves there is seen, and nothing that other processes on the machine make
# meanwhile is mistaken for it.
HOLD_FRESH_TEMPORARY_DIRECTORIES = r"""
import ctypes, os, sys

MS_BIND = 4096
libc = ctypes.CDLL(None, use_errno=True)


def mount(source, target, kind, flags, options):
    if libc.mount(source.encode(), target.encode(), kind and kind.encode(), flags,
                  options and options.encode()) != 0:
        raise OSError(ctypes.get_errno(), f"mount {source} on {target}")


places, keep = sys.argv[1].split(","), sys.argv[2:]
old_tmp = os.open("/tmp", os.O_PATH | os.O_DIRECTORY)
for place in places:
    mount("fresh", place, "tmpfs", 0, "mode=1777")
for name in keep:
    os.mkdir(f"/tmp/{name}", 0o755)
    mount(f"/proc/self/fd/{old_tmp}/{name}", f"/tmp/{name}", None, MS_BIND, None)
os.close(old_tmp)
print("ready", flush=True)
sys.stdin.read()
"""


class FreshTemporaryDirectories:
    """A private mount namespace with fresh temporary directories to run in."""

    def __init__(self, holder: subprocess.Popen, keep: list[str]):
        self.holder = holder
        self.keep = keep

    def entering(self, cwd) -> list[str]:
        """Return the words that run the command after them in here, from cwd."""
        return ["nsenter", f"--mount=/proc/{self.holder.pid}/ns/mnt",
                f"--wd={cwd}", "--"]

    def listing(self) -> set[str]:
        """Return every path in the temporary directories, but the kept ones."""
        root = f"/proc/{self.holder.pid}/root"
        found = set()
        for place in TEMPORARY_PLACES:
            for folder, directories, files in os.walk(root + place):
                if folder == root + "/tmp":
                    directories[:] = [d for d in directories if d not in self.keep]
                for name in directories + files:
                    found.add(os.path.join(folder, name).removeprefix(root))
        return found


@pytest.fixture
def fresh(site, shared_dir):
    """Fresh temporary directories, in which site and shared_dir still are."""
    for program in ("unshare", "nsenter"):
        require(os.path.exists(f"/usr/bin/{program}"),
                f"needs {program} (util-linux)")
    keep = [site.prefix.name, shared_dir.name]
    holder = subprocess.Popen(
        ["unshare", "--mount", "--propagation", "private", "/usr/bin/python3",
         "-I", "-c", HOLD_FRESH_TEMPORARY_DIRECTORIES, ",".join(TEMPORARY_PLACES),
         *keep], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "ready\n", "no fresh directories"
        yield FreshTemporaryDirectories(holder, keep)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def left_behind(before: set[str], after: set[str]) -> list[str]:
    """Return what is in the temporary directories now that was not before."""
    # rkt-run makes EMPTY_DIRECTORY at the first run on a machine and keeps it
    # for the runs after; anything put in it would still show.
    made_once = {os.path.dirname(EMPTY_DIRECTORY), EMPTY_DIRECTORY}
    return sorted(after - before - made_once)


def processes_running(path) -> list[int]:
    """Return the pids of the processes whose command line names path."""
    word = str(path).encode()
    pids = []
    for name in os.listdir("/proc"):
        try:
            with open(f"/proc/{name}/cmdline", "rb") as cmdline:
                if word in cmdline.read().split(b"\0") and alive(int(name)):
                    pids.append(int(name))
        except (OSError, ValueError):
            continue
    return pids


def tagged_environment(user) -> dict[str, str]:
    """Return user's login environment with values that are theirs alone."""
    return {**user_environment(user), "RUN_TAG": f"tag-{user.uid}",
            "http_proxy": f"http://{user.name}.proxy:3128"}


def record_of(records: list[dict], user) -> dict:
    """Return the one record of a run whose container runs as user."""
    [record] = [r for r in records if f"--user={user.uid}" in r["argv"]]
    return record


def test_fifty_runs_by_fifty_users_at_once_keep_to_their_own_caller(
        site, standin, make_user, fresh, tmp_path):
    configure(site, standin, extra=WHO)
    standin.sleep_for(0.5)  # so that a runtime a run did not wait for is seen
    users = [make_user() for _ in range(50)]
    before = fresh.listing()
    # A file, not a pipe: waiting for a pipe's end would wait for the runtimes.
    with open(tmp_path / "stderr", "w+") as errors:
        runs = [subprocess.Popen(
            [*fresh.entering(user.home), *as_user(user), str(site.launcher), "who"],
            env=tagged_environment(user), cwd=user.home, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=errors) for user in users]
        statuses = [run.wait(timeout=120) for run in runs]
    assert statuses == [0] * 50, (tmp_path / "stderr").read_text()
    assert (tmp_path / "stderr").read_text() == ""
    assert processes_running(standin.path) == []
    records = standin.records()
    assert len(records) == 50
    for user in users:
        record = record_of(records, user)
        assert f"--group={user.gid}" in record["argv"]
        assert f"home,kind=host,source={user.home}" in record["argv"]
        assert record["env_file"] == (
            f"HOME=/home/{user.name}\nhttp_proxy=http://{user.name}.proxy:3128\n"
            f"RUN_TAG=tag-{user.uid}\n")
        assert record["resuid"] == [0, 0, 0] and record["fds"] == [0, 1, 2, 3]
    callers = sorted(line.split("caller=")[1].split()[0]
                     for line in site.audit_lines())
    assert callers == sorted(f"{user.name}({user.uid})" for user in users)
    assert left_behind(before, fresh.listing()) == []


# Run by another user: try to open each path named, and report the name of
# the error, or "read"; then report every place where the secret was found,
# in a file under the temporary directories or in a command line.
LOOK_FOR_THE_SECRET = r"""
import errno, json, os, stat, sys

secret, places, pids, paths = sys.argv[1].encode(), *json.loads(sys.argv[2])


def attempt(path):
    try:
        with open(path, "rb") as file:
            file.read(1)
        return "read"
    except OSError as error:
        return errno.errorcode[error.errno]


def holds_secret(path):
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with open(path, "rb") as file:
            return secret in file.read()
    except OSError:
        return False


found = [f"/proc/{pid}/cmdline" for pid in pids
         if holds_secret(f"/proc/{pid}/cmdline")]
for place in places:
    for folder, _, files in os.walk(place):
        found += [os.path.join(folder, name) for name in files
                  if holds_secret(os.path.join(folder, name))]
print(json.dumps({"opened": {path: attempt(path) for path in paths},
                  "found": found}))
"""


def descriptors_and_environ(pid: int) -> list[str]:
    """Return the /proc paths of pid's open descriptors and of its environment."""
    return [*(f"/proc/{pid}/fd/{fd}" for fd in os.listdir(f"/proc/{pid}/fd")),
            f"/proc/{pid}/environ"]


def test_another_user_cannot_read_the_container_environment_of_a_run(
        site, standin, make_user):
    owner, other = make_user(), make_user()
    secret = f"http://{os.urandom(12).hex()}.proxy.example:3128"
    # The stand-in's own records hold the environment: only root may read them.
    (standin.directory / "records").mkdir(mode=0o700)
    env = {**user_environment(owner), "http_proxy": secret}
    with waiting_run(site, standin, owner, env=env) as process:
        runtime = runtime_of(process)
        paths = descriptors_and_environ(runtime) + descriptors_and_environ(
            process.pid)
        looked = other.run(
            ["/usr/bin/python3", "-I", "-c", LOOK_FOR_THE_SECRET, secret,
             json.dumps([TEMPORARY_PLACES, [process.pid, runtime], paths])],
            env={}, cwd=other.home, timeout=120)
    assert looked.returncode == 0, looked.stderr
    report = json.loads(looked.stdout)
    assert f"/proc/{runtime}/fd/3" in report["opened"]
    assert set(report["opened"].values()) <= {"EACCES", "EPERM"}, report
    assert report["found"] == []
    assert secret in standin.only_record()["env_file"]


def test_rkt_run_killed_mid_run_leaves_nothing_behind(site, standin, user, fresh):
    before = fresh.listing()
    with waiting_run(site, standin, user, where=fresh) as process:
        runtime = runtime_of(process)
        user.run(["kill", "-KILL", str(process.pid)], check=True)
        assert process.wait(timeout=30) == -signal.SIGKILL
        end_for_good(runtime)  # told to stop, it may still be ending
    assert left_behind(before, fresh.listing()) == []


def runtime_for(case: str, standin, shared_dir):
    """Return the runtime a run that never starts has: missing, unusable or fine."""
    if case == "runtime-missing":
        return shared_dir / "no-such-runtime"
    if case == "runtime-fails-to-start":
        runtime = shared_dir / "runtime-of-no-interpreter"
        runtime.write_text("#!/no/such/interpreter\n")
        runtime.chmod(0o755)
        return runtime
    return standin.path


@pytest.mark.parametrize("case, top, image, refusal", [
    ("refused-by-policy", "restrict-images = true\n", "example.org/other:1",
     "is not an alias, and this site runs aliases only"),
    ("runtime-missing", "", "bwa", "is not installed"),
    ("runtime-fails-to-start", "", "bwa", "cannot start the runtime"),
])
def test_a_run_that_never_starts_leaves_nothing_behind(
        site, standin, user, fresh, shared_dir, case, top, image, refusal):
    runtime = runtime_for(case, standin, shared_dir)
    site.configure(sample_config(standin, site, top=top).replace(
        f'rkt = "{standin.path}"', f'rkt = "{runtime}"'))
    before = fresh.listing()
    done = subprocess.run(
        [*fresh.entering(user.home), *as_user(user), str(site.launcher), image],
        env=tagged_environment(user), cwd=user.home, capture_output=True,
        text=True, timeout=60)
    assert refusal in one_line(done)
    assert left_behind(before, fresh.listing()) == []


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_relayed_signal_that_kills_the_runtime_ends_rkt_run_by_that_signal(
        site, shared_dir, user, number):
    runtime = shared_dir / "sleeping-runtime"
    runtime.write_text("#!/bin/sh\nexec sleep 60\n")  # signals as the default has it
    runtime.chmod(0o755)
    site.configure(f'rkt = "{runtime}"\n[alias.tool]\nimage = "example.org/tool:1"\n')
    process = subprocess.Popen(
        [*as_user(user), str(site.launcher), "tool"], env=user_environment(user),
        cwd=user.home, stdin=subprocess.DEVNULL, start_new_session=True)
    sleeper = None
    try:
        sleeper = child_running(process, "sleep")
        user.run(["kill", f"-{int(number)}", str(process.pid)], check=True)
        status = process.wait(timeout=30)
        # The runtime ended first: rkt-run relayed the signal, not died of it.
        assert not alive(sleeper)
    finally:
        process.kill()
        if sleeper:
            end_for_good(sleeper)
    assert status == -number
