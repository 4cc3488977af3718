"""The sample config of the design gives rktrunner's command, word for word."""

import os
import subprocess

import pytest

from conftest import RKT_RUN, SAMPLES, require_root
from rktcore import config as configuration
from rktcore.identity import Caller
from rktcore.plan import Request, make_plan

SAMPLE = str(SAMPLES / "rktrunner.toml")
GUESTSI = Caller(511, 511, [], "guestsi", "/home/guestsi")
EXPECTED = (
    "/usr/bin/rkt --insecure-options=image run --set-env-file ENV_FILE "
    "--net=host --volume home,kind=host,source=/home/guestsi "
    "quay.io/biocontainers/bwa:0.7.15--0 --mount volume=home,target=/home/guestsi "
    "--user=511 --group=511 --exec bwa --"
).split()


def with_env_file(argv: list[str]) -> list[str]:
    """Replace the env-file path, the one word that may differ, by ENV_FILE."""
    index = argv.index("--set-env-file") + 1
    return argv[:index] + ["ENV_FILE"] + argv[index + 1:]


def sample_plan(request: Request):
    config = configuration.load(SAMPLE)
    return make_plan(config, GUESTSI, request, {}, "/home/guestsi")


def test_image_with_exec_gives_the_designed_command():
    plan = sample_plan(Request(image="quay.io/biocontainers/bwa:0.7.15--0",
                               exec="bwa"))
    assert with_env_file(plan.argv) == EXPECTED


def test_exec_alias_gives_the_same_command():
    plan = sample_plan(Request(image="bwa"))
    assert with_env_file(plan.argv) == EXPECTED


def test_every_word_has_an_origin():
    plan = sample_plan(Request(image="bwa", args=["mem", "ref.fa"]))
    assert len(plan.origins) == len(plan.argv)
    assert all(plan.origins)
    assert plan.origins[plan.argv.index("--net=host")] == "options.common.run"
    assert plan.origins[-1] == "your arguments"


@pytest.fixture
def guestsi():
    """The user of the design's example: guestsi, uid and gid 511."""
    require_root()
    import pwd

    try:
        entry = pwd.getpwnam("guestsi")
    except KeyError:
        entry = None
    if entry is None:
        subprocess.run(["groupadd", "-g", "511", "guestsi"], capture_output=True)
        subprocess.run(["useradd", "-M", "-u", "511", "-g", "511", "-d",
                        "/home/guestsi", "guestsi"], check=True, capture_output=True)
    elif (entry.pw_uid, entry.pw_gid, entry.pw_dir) != (511, 511, "/home/guestsi"):
        pytest.fail("a user guestsi exists with other ids; remove it to run this test")
    yield "guestsi"
    if entry is None:
        subprocess.run(["userdel", "guestsi"], capture_output=True)
        subprocess.run(["groupdel", "guestsi"], capture_output=True)


@pytest.mark.parametrize("words", [
    ["-e", "bwa", "quay.io/biocontainers/bwa:0.7.15--0"],
    ["bwa"],
])
def test_guestsi_sees_the_designed_command_from_the_command_line(guestsi, words):
    done = subprocess.run(
        ["setpriv", "--reuid=511", "--regid=511", "--clear-groups", *RKT_RUN,
         "--config", SAMPLE, "--dry-run", "-v", *words],
        capture_output=True, text=True, cwd="/", env={"PATH": os.environ["PATH"]},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert with_env_file(done.stderr.split()) == EXPECTED
