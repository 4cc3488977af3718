"""A real run by root: rkt-run runs the runtime, here the recording stand-in."""

import os
import subprocess

from conftest import RKT_RUN, require_root
from rktcore.execute import RUNTIME_ENVIRONMENT

CONFIG = """\
rkt = "{rkt}"
[environment]
HOME = "/root"
GREETING = "{{{{.Greeting}}}}"
[options.common]
run = ["--net=host"]
[volume.data]
volume = "kind=host,source=/srv/data"
mount = "target=/data"
on-request = true
[alias.tool_]
image = "quay.io/biocontainers/tool:1.0--0"
exec = ["/usr/local/bin/tool"]
"""


def run_as_root(config: str, *args, env=None):
    require_root()
    environment = {"PATH": os.environ["PATH"], "Greeting": "hello world",
                   "SECRET_TOKEN": "abc"}
    return subprocess.run([*RKT_RUN, "--config", config, *args],
                          capture_output=True, text=True, cwd="/",
                          env={**environment, **(env or {})})


def test_the_runtime_gets_the_planned_argv(standin, write_config):
    config = write_config(CONFIG.format(rkt=standin.path))
    done = run_as_root(config, "--volume", "data", "tool", "-x", "it's")
    assert done.returncode == 0, done.stderr
    record = standin.only_record()
    assert record["argv"][1:] == [
        "run", "--set-env-file", "/proc/self/fd/3", "--net=host",
        "--volume", "data,kind=host,source=/srv/data",
        "quay.io/biocontainers/tool:1.0--0", "--mount", "volume=data,target=/data",
        "--user=0", "--group=0", "--exec", "/usr/local/bin/tool", "--", "-x", "it's"]


def test_the_runtime_gets_a_clean_fixed_environment(standin, write_config):
    run_as_root(write_config(CONFIG.format(rkt=standin.path)), "tool")
    assert standin.only_record()["environ"] == RUNTIME_ENVIRONMENT


def test_the_runtime_cannot_gain_privilege_by_exec(standin, write_config):
    run_as_root(write_config(CONFIG.format(rkt=standin.path)), "tool")
    assert standin.only_record()["no_new_privs"] == 1


def test_the_runtime_inherits_only_standard_streams_and_the_env_file(
        standin, write_config, tmp_path):
    config = write_config(CONFIG.format(rkt=standin.path))
    leaked = open(tmp_path / "leak", "w")
    try:
        subprocess.run([*RKT_RUN, "--config", config, "tool"], pass_fds=[
            leaked.fileno()], cwd="/", env={"PATH": os.environ["PATH"]})
    finally:
        leaked.close()
    assert standin.only_record()["fds"] == [0, 1, 2, 3]


def test_the_env_file_holds_the_container_environment(standin, write_config):
    config = write_config(CONFIG.format(rkt=standin.path))
    run_as_root(config, "--set-env", "A=b c", "tool")
    assert standin.only_record()["env_file"] == (
        "HOME=/root\nGREETING=hello world\nA=b c\n")


def test_rkt_run_exits_with_the_runtimes_status(standin, write_config):
    standin.exit_with(7)
    done = run_as_root(write_config(CONFIG.format(rkt=standin.path)), "tool")
    assert done.returncode == 7


def test_the_env_file_leaves_nothing_behind(standin, write_config):
    before = set(os.listdir("/tmp")) | set(os.listdir("/run"))
    run_as_root(write_config(CONFIG.format(rkt=standin.path)), "tool")
    record = standin.only_record()
    assert record["env_file"].startswith("HOME=")
    after = set(os.listdir("/tmp")) | set(os.listdir("/run"))
    assert after - before == set()


def test_a_missing_runtime_is_one_line(write_config, shared_dir):
    config = write_config(CONFIG.format(rkt=shared_dir / "no-such-rkt"))
    done = run_as_root(config, "tool")
    assert done.returncode == 69
    assert "is not installed; ask your admin" in done.stderr
    assert len(done.stderr.splitlines()) == 1
