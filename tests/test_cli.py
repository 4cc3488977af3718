"""rkt-run's command line: every option, and bad input as one line with no traceback."""

import json
import os
import subprocess

import pytest

from conftest import CONFIGS, RKT_RUN, SAMPLES
from rktcore import __version__
from rktcore.options import argv_for, parse
from rktcore.messages import UsageError
from rktcore.plan import Request

SITE = str(CONFIGS / "site.toml")


def rkt_run(*args, env=None):
    """Run rkt-run as the current user and return the finished process."""
    return subprocess.run([*RKT_RUN, *args], capture_output=True, text=True,
                          env=env or {"PATH": os.environ["PATH"]}, cwd="/")


def one_line_error(done) -> str:
    """Assert done failed with exactly one rkt-run line on stderr; return it."""
    assert done.returncode != 0
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("rkt-run: ")
    assert "Traceback" not in done.stderr
    return lines[0]


def test_parse_reads_rktrunner_options_up_to_the_image():
    options = parse(["--config", "c.toml", "-e", "bwa", "--volume", "data",
                     "--volume=scratch", "--set-env", "A=1", "--set-env=B=2",
                     "--print-env", "-i", "-v", "--dry-run", "-n",
                     "quay.io/x", "-v", "--exec", "sh"])
    assert options.config == "c.toml" and options.exec == "bwa"
    assert options.volumes == ["data", "scratch"]
    assert options.set_env == ["A=1", "B=2"]
    assert options.print_env and options.interactive and options.verbose
    assert options.dry_run and options.no_prefix
    assert options.image == "quay.io/x"
    assert options.args == ["-v", "--exec", "sh"]


def test_parse_reads_long_forms_and_clustered_short_flags():
    options = parse(["--exec=sh", "--interactive", "--verbose", "--list-alias",
                     "--no-image-prefix", "--explain", "--json", "img"])
    assert options.exec == "sh" and options.list_alias and options.explain
    clustered = parse(["-iv", "-ebwa", "img"])
    assert clustered.interactive and clustered.verbose and clustered.exec == "bwa"
    assert parse(["-ive", "sh", "img"]).exec == "sh"


def test_double_dash_ends_the_options():
    options = parse(["-v", "--", "-image-like", "x"])
    assert options.image == "-image-like" and options.args == ["x"]


@pytest.mark.parametrize("argv, problem", [
    (["--frobnicate", "img"], 'unknown option "--frobnicate"'),
    (["-x", "img"], 'unknown option "-x"'),
    (["--config"], "--config needs a value"),
    (["-e"], "-e needs a value"),
])
def test_parse_refuses_unknown_and_incomplete_options(argv, problem):
    with pytest.raises(UsageError, match=problem):
        parse(argv)


def test_argv_for_makes_the_same_request():
    request = Request("bwa", "bwa-mem2", ["data"], ["A=1 2"], True, True,
                      ["-t", "4", "--", "---x"])
    again = parse(argv_for(request, "/etc/x.toml"))
    assert again.config == "/etc/x.toml"
    assert again.request().__class__ is Request
    for name in Request.__slots__:
        assert getattr(again.request(), name) == getattr(request, name), name


def test_help_and_version():
    assert rkt_run("--version").stdout == f"rkt-run {__version__}\n"
    helped = rkt_run("--help")
    assert helped.returncode == 0 and "--set-env NAME=VALUE" in helped.stdout


def test_dry_run_prints_nothing_and_succeeds():
    done = rkt_run("--config", SITE, "--dry-run", "samtools", "view")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_verbose_prints_the_command_shell_quoted_on_stderr():
    done = rkt_run("--config", SITE, "--dry-run", "-v", "samtools", "view",
                   "my file.bam", "it's")
    assert done.stdout == ""
    assert done.stderr.endswith(
        "--exec /usr/local/bin/samtools -- view 'my file.bam' 'it'\"'\"'s'\n")


def test_print_env_prints_the_container_environment():
    done = rkt_run("--config", SITE, "--dry-run", "--print-env", "--set-env",
                   "A=x y", "julia")
    assert done.stderr.splitlines() == ["JULIA_NUM_THREADS=4", "LANG=en_NZ.UTF-8",
                                        "A=x y"]


def test_explain_prints_each_word_with_its_origin():
    done = rkt_run("--config", SITE, "--explain", "samtools")
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["/usr/bin/rkt", "<-", "rkt"]
    assert any(line.split() == ["--net=host", "<-", "options.common.run"]
               for line in lines)
    assert "container environment:" in lines


def test_json_prints_the_plan_for_tools():
    done = rkt_run("--config", SITE, "--json", "--volume", "data", "samtools")
    plan = json.loads(done.stdout)
    assert plan["alias"] == "samtools_"
    assert plan["exec"] == "/usr/local/bin/samtools"
    assert plan["mode"] == "batch" and plan["runtime"] == "rkt"
    assert len(plan["argv"]) == len(plan["origins"])
    assert "volume=data,target=/data" in plan["argv"]
    assert plan["environment"]["LANG"] == "C.UTF-8"


def test_list_alias_prints_sorted_aliases_with_descriptions():
    done = rkt_run("--config", SITE, "-l")
    assert done.stdout.splitlines() == [
        "julia = -e /usr/local/julia/bin/julia docker://julia",
        "julia_ = docker://julia",
        "qiime = quay.io/biocontainers/qiime:1.9.1--py27_0",
        "samtools = -e /usr/local/bin/samtools quay.io/biocontainers/"
        "samtools:1.3.1--5  # Reading, writing and indexing SAM, BAM and CRAM files",
        "samtools_ = quay.io/biocontainers/samtools:1.3.1--5  # Reading, writing "
        "and indexing SAM, BAM and CRAM files",
    ]


def test_no_image_prefix_option():
    done = rkt_run("--config", SITE, "--dry-run", "-v", "-n", "biocontainers/x")
    assert " biocontainers/x " in done.stderr


@pytest.mark.parametrize("args, problem", [
    (["--frobnicate"], 'unknown option "--frobnicate"'),
    (["--dry-run"], "no image or alias given"),
    (["--dry-run", "--volume", "home", "qiime"], 'volume "home" is not on-request'),
    (["--dry-run", "-e", "sh", "samtools"], "already runs"),
    (["--dry-run", "--set-env", "X", "qiime"], 'has no "="'),
    (["--dry-run", "qiime", "---"], '"---"'),
    (["--dry-run", "--", "-it"], 'starts with "-"'),
])
def test_bad_input_gets_one_line_and_a_non_zero_exit(args, problem):
    assert problem in one_line_error(rkt_run("--config", SITE, *args))


def test_a_broken_config_is_named_in_one_line(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('rkt = "/usr/bin/rkt"\n[alias.x]\nimgae = "y"\n')
    line = one_line_error(rkt_run("--config", str(broken), "--dry-run", "x"))
    assert line == (f"rkt-run: {broken}: alias.x.imgae is not a known key; "
                    "remove it or correct its spelling")


def test_exit_statuses_tell_usage_config_and_policy_apart(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("nonsense")
    assert rkt_run("--bogus").returncode == 64
    assert rkt_run("--config", str(broken), "--dry-run", "x").returncode == 78
    assert rkt_run("--config", SITE, "--dry-run", "--", "-x").returncode == 77


def test_the_sample_config_lists_its_alias():
    done = rkt_run("--config", str(SAMPLES / "rktrunner.toml"), "-l")
    assert done.stdout.startswith("bwa = -e bwa quay.io/biocontainers/bwa:0.7.15--0")


def test_deeply_nested_toml_is_a_config_error_not_an_internal_one(tmp_path):
    nested = tmp_path / "nested.toml"
    nested.write_text('rkt = "/usr/bin/rkt"\na = ' + "[" * 5000)
    done = rkt_run("--config", str(nested), "--dry-run", "x")
    assert one_line_error(done) == (f"rkt-run: {nested}: arrays or inline tables "
                                    "nest too deeply to read; flatten them")
    assert done.returncode == 78


@pytest.mark.parametrize("argv, option", [
    (["--exec=", "img"], "--exec"),
    (["--exec", "", "img"], "--exec"),
    (["-e", "", "img"], "-e"),
    (["-ive", "", "img"], "-e"),
    (["--config", "", "img"], "--config"),
    (["--config=", "img"], "--config"),
    (["--volume", "", "img"], "--volume"),
    (["--volume=", "img"], "--volume"),
    (["--set-env", "", "img"], "--set-env"),
    (["--set-env=", "img"], "--set-env"),
])
def test_an_empty_option_value_is_refused(argv, option):
    with pytest.raises(UsageError) as caught:
        parse(argv)
    assert str(caught.value) == (f"{option} needs a value, not an empty one; "
                                 "see rkt-run --help")


def test_an_empty_option_value_is_a_usage_error_on_the_command_line():
    done = rkt_run("--config", SITE, "--dry-run", "-e", "", "qiime")
    assert one_line_error(done) == ("rkt-run: -e needs a value, not an empty one; "
                                    "see rkt-run --help")
    assert done.returncode == 64
