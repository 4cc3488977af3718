"""End to end with podman: a test user, the installed setuid rkt-run, a container.

Each test runs rkt-run as an ordinary user made for it, through the launcher
that rkt-run-admin installs setuid root, and looks at what happened inside
the container and on the host. They need root, podman, the test image that
.ci/setup-podman builds, and a C compiler for the launcher (tests/setuid.py).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import free_uid, require, require_root
from setuid import installed, root_owned_directory, user_environment

IMAGE = "localhost/rkttui-test:latest"
PODMAN = "/usr/bin/podman"
# What podman itself sets in every container; everything else is the plan's.
PODMAN_MARKERS = {"container", "HOSTNAME", "TERM"}
# The sites' run options label every container, so that the checks below see
# these tests' containers and never touch another program's.
LABEL = "rkttui-e2e=1"

CONFIG = """\
runtime = "podman"
podman = "{podman}"
supplementary-groups = {groups}
audit-log = "{audit}"

[environment]
HOME = "/home/{{{{.Username}}}}"
PATH = "/bin"
GREETING = "hello {{{{.Username}}}}"
FROM_CALLER = "{{{{.RKTTUI_GIVEN}}}}"

[options.common]
run = ["--network=host", "--label={label}"{run}]

[volume.home]
source = "{{{{.HomeDir}}}}"
target = "/home/{{{{.Username}}}}"

[volume.site]
source = "{volumes}/shared"
target = "/shared"
read-only = true

[volume.data]
source = "{volumes}/data"
target = "/data"
read-only = true
on-request = true

[alias.box]
image = "{image}"

[alias.probe]
image = "{image}"
exec = ["/bin/prober"]
"""


def podman(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PODMAN, *args], capture_output=True, text=True)


def containers(*states: str) -> list[str]:
    """Return the ids of these tests' containers, running or not."""
    filters = [f"--filter=status={state}" for state in states]
    return podman("ps", "-a", "-q", f"--filter=label={LABEL}", *filters).stdout.split()


@pytest.fixture(scope="module")
def volumes():
    """A root-owned directory every user may enter, with the volumes' sources."""
    require_root()
    require(shutil.which("podman") is not None,
            "needs podman; run .ci/setup-podman as root")
    require(podman("image", "exists", IMAGE).returncode == 0,
            f"needs the image {IMAGE}; run .ci/setup-podman as root")
    root = root_owned_directory(prefix="rkttui-podman-")
    for name in ("shared", "data"):
        (root / name).mkdir(mode=0o755)
    (root / "data" / "marker").write_text("data volume\n")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def podman_site(volumes, groups=True, run=()):
    """Install rkt-run setuid for a podman site config; yield the installation."""
    for installation in installed():
        installation.configure(CONFIG.format(
            podman=PODMAN, image=IMAGE, volumes=volumes, label=LABEL,
            audit=installation.audit_log, groups=str(groups).lower(),
            run="".join(f', "{word}"' for word in run)))
        yield installation


@pytest.fixture(scope="module")
def site(volumes):
    """The site most tests use: supplementary groups on."""
    yield from podman_site(volumes)


@pytest.fixture(scope="module")
def site_without_groups(volumes):
    yield from podman_site(volumes, groups=False)


@pytest.fixture(scope="module")
def rogue_site(volumes):
    """A site whose config would run every app as root."""
    yield from podman_site(volumes, run=["--user=0:0"])


def every_container() -> set[str]:
    """Return the ids of every container podman knows, labelled or not."""
    return set(podman("ps", "-a", "-q").stdout.split())


@pytest.fixture(autouse=True)
def no_container_is_left_behind(volumes):
    """After each test, podman knows no container it did not know before it."""
    before = every_container()
    yield
    left = sorted(every_container() - before)
    if left:
        podman("rm", "-f", "-t", "0", *left)
    assert not left, f"containers left behind: {left}"


@pytest.fixture
def user(make_user):
    return make_user("rkpod")


def run(site, user, *args, **kwargs) -> subprocess.CompletedProcess:
    """Run the installed rkt-run as user, from their home, in their environment."""
    env = {**user_environment(user), "RKTTUI_GIVEN": "given",
           "RKTTUI_SECRET": "not for the container"}
    kwargs.setdefault("timeout", 60)
    return site.run_as(user, *args, env=env, **kwargs)


def succeeded(done) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


# Who runs inside.

def test_the_app_runs_with_the_callers_uid_and_gid(site, user):
    out = succeeded(run(site, user, "box", "sh", "-c", "id -u; id -g"))
    assert out.split() == [str(user.uid), str(user.gid)]


def test_a_file_written_to_the_mounted_home_belongs_to_the_caller(site, user):
    succeeded(run(site, user, "box", "touch", f"/home/{user.name}/written"))
    written = (user.home / "written").stat()
    assert (written.st_uid, written.st_gid) == (user.uid, user.gid)


@pytest.fixture
def group_only_directory(volumes, user):
    """A directory in the shared volume that only a group of the user may read."""
    gid = free_uid(43100)
    name = f"rkpodg{gid}"
    subprocess.run(["groupadd", "-g", str(gid), name], check=True)
    subprocess.run(["usermod", "-aG", name, user.name], check=True)
    directory = volumes / "shared" / "grouponly"
    directory.mkdir()
    (directory / "secret").write_text("for the group\n")
    os.chown(directory, 0, gid)
    directory.chmod(0o750)
    yield "/shared/grouponly/secret"
    shutil.rmtree(directory)
    subprocess.run(["groupdel", name], capture_output=True)


def test_with_supplementary_groups_a_directory_of_the_callers_group_is_readable(
        site, user, group_only_directory):
    out = succeeded(run(site, user, "box", "cat", group_only_directory))
    assert out == "for the group\n"


def test_without_supplementary_groups_that_directory_is_not_readable(
        site_without_groups, user, group_only_directory):
    done = run(site_without_groups, user, "box", "cat", group_only_directory)
    assert done.returncode != 0
    assert "Permission denied" in done.stderr


def test_a_setuid_root_file_in_the_image_keeps_the_callers_euid(site, user):
    out = succeeded(run(site, user, "prober"))
    assert out.split() == [str(user.uid)] * 3


# What the container gets, and what it gives back.

def test_the_container_environment_is_the_planned_one(site, user):
    planned = json.loads(succeeded(run(site, user, "--json", "box", "env")))
    inside = dict(line.split("=", 1) for line in succeeded(
        run(site, user, "box", "env")).splitlines())
    assert planned["environment"] == {
        "HOME": f"/home/{user.name}", "PATH": "/bin",
        "GREETING": f"hello {user.name}", "FROM_CALLER": "given"}
    extra = {name: inside.pop(name) for name in PODMAN_MARKERS & set(inside)}
    assert inside == planned["environment"]
    assert extra.get("container") == "podman"


def test_exit_codes_pass_through(site, user):
    assert run(site, user, "box", "sh", "-c", "exit 7").returncode == 7


def test_stdin_reaches_an_interactive_container(site, user):
    done = run(site, user, "-i", "box", "sh", "-c", "read line; echo got $line",
               input="hello\n")
    assert succeeded(done) == "got hello\n"


def in_a_terminal(site, user, *args) -> str:
    """Run rkt-run with a terminal as its stdin; return what it printed."""
    primary, secondary = os.openpty()
    try:
        return succeeded(run(site, user, *args, stdin=secondary))
    finally:
        os.close(secondary)
        os.close(primary)


def test_an_interactive_run_from_a_terminal_gets_a_terminal_inside(site, user):
    out = in_a_terminal(site, user, "-i", "box", "sh", "-c",
                        "test -t 0 && test -t 1 && echo terminal")
    assert out.strip() == "terminal"


def test_a_batch_run_from_a_terminal_keeps_its_output_a_plain_stream(site, user):
    out = in_a_terminal(site, user, "box", "sh", "-c",
                        "test -t 1 || echo plain; echo line")
    assert out == "plain\nline\n"


def test_sigterm_to_rkt_run_stops_the_container(site, user):
    wrapper = ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}",
               "--init-groups", "--", str(site.launcher), "box", "sleep", "600"]
    process = subprocess.Popen(wrapper, cwd=user.home, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    try:
        wait_for_a_running_container(process)
        process.send_signal(signal.SIGTERM)
        status = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert status == 128 + signal.SIGTERM
    assert containers() == []


def wait_for_a_running_container(process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not containers("running"):
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "no container started"
        time.sleep(0.1)


# The policy holds on the real path.

def test_an_on_request_volume_is_mounted_only_when_asked_for(site, user):
    assert run(site, user, "box", "cat", "/data/marker").returncode != 0
    done = run(site, user, "--volume", "data", "box", "cat", "/data/marker")
    assert succeeded(done) == "data volume\n"


def test_a_refused_request_starts_nothing(site, user):
    since = f"{time.time():.6f}"
    audited = len(site.audit_lines())
    done = run(site, user, "--volume", "home", "box", "true")
    assert done.returncode == 77
    assert 'volume "home" is not on-request' in done.stderr
    assert len(site.audit_lines()) == audited
    created = podman("events", "--stream=false", "--since", since,
                     "--filter=event=create", f"--filter=label={LABEL}",
                     "--format", "{{.ID}}")
    assert created.returncode == 0 and created.stdout.strip() == ""


def test_a_config_that_runs_the_app_as_root_starts_nothing(rogue_site, user):
    done = run(rogue_site, user, "box", "id", "-u")
    assert done.returncode == 78
    assert "only root may" in done.stderr and done.stdout == ""


def test_list_images_shows_the_test_image(site, user):
    assert f"{IMAGE} " in succeeded(run(site, user, "--list-images"))
    listed = json.loads(succeeded(run(site, user, "--list-images", "--json")))
    assert IMAGE in [image["name"] for image in listed]


# rkt-tui, run by the user, asks the installed rkt-run for the images.
TUI_IMAGES = """\
import asyncio, sys
from rkttui.app import RktTui
from rkttui.catalogue import IMAGE
from rkttui.site import open_site

async def main():
    app = RktTui(open_site(sys.argv[1]), rkt_run=sys.argv[2], remember=False)
    async with app.run_test() as pilot:
        note = app.screen.query_one("#images-note")
        while "asking" in str(note.render()):
            await pilot.pause(0.05)
        print(note.render())
        for entry in app.screen.catalogue.entries:
            if entry.kind == IMAGE:
                print(entry.name)

asyncio.run(main())
"""


def test_the_tuis_image_list_shows_the_test_image(site, user):
    script = [sys.executable, "-I", "-c", TUI_IMAGES, str(site.config),
              str(site.launcher)]
    env = {**user_environment(user), "TERM": "xterm"}
    done = user.run(script, cwd=user.home, env=env, timeout=60)
    lines = succeeded(done).splitlines()
    assert re.fullmatch(r"\d+ pulled images?", lines[0]) and IMAGE in lines[1:]

