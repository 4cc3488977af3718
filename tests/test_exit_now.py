"""The launcher's entry ends rkt-run with exit_now: nothing said is lost."""

import json
import os
import subprocess
import sys

from conftest import CONFIGS

# The installed entry script's last step, on rkt-run's own arguments.
ENTRY = "from rktcore.cli import exit_now, main; exit_now(main())"
SITE = str(CONFIGS / "site.toml")


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-I", "-c", ENTRY, *args],
                          capture_output=True, text=True, cwd="/", **kwargs)


def large_site(write_config) -> str:
    tables = "".join(f'[alias.tool{i}_]\nimage = "quay.io/biocontainers/tool{i}:1"\n'
                     for i in range(3000))
    return write_config(f'rkt = "/usr/bin/rkt"\n{tables}')


def test_all_output_reaches_a_pipe_before_the_process_ends(write_config):
    small = run("--config", SITE, "--json", "--dry-run", "qiime")
    assert json.loads(small.stdout)["alias"] == "qiime"
    large = run("--config", large_site(write_config), "-l")
    lines = large.stdout.splitlines()
    assert len(lines) == 3000
    assert lines[-1] == "tool9_ = quay.io/biocontainers/tool9:1"  # sorted


def test_the_exit_status_and_the_message_get_through():
    done = run("--frobnicate")
    assert done.returncode == 64
    assert done.stderr == ('rkt-run: unknown option "--frobnicate"; rkt-run --help '
                           "lists them\n")


def test_a_reader_that_has_gone_causes_no_traceback():
    read_end, write_end = os.pipe()
    os.close(read_end)
    with os.fdopen(write_end, "w") as gone:
        done = subprocess.run([sys.executable, "-I", "-c", ENTRY, "--config", SITE,
                               "--json", "--dry-run", "qiime"], stdout=gone,
                              stderr=subprocess.PIPE, text=True)
    assert done.stderr == ""
    assert done.returncode == 0


def test_python_inspect_still_gets_its_prompt():
    done = subprocess.run([sys.executable, "-i", "-c", ENTRY, "--version"],
                          input="print('inspected')\n", capture_output=True,
                          text=True)
    assert done.stdout.startswith("rkt-run ")
    assert "inspected" in done.stdout
