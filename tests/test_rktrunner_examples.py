"""rktrunner's own example configs load and give the commands its documents show."""

import pytest

from conftest import CONFIGS
from rktcore import config as configuration
from rktcore.identity import Caller
from rktcore.listing import alias_lines
from rktcore.plan import Request, make_plan

GUESTSI = Caller(511, 511, [], "guestsi", "/home/guestsi")


def plan_for(name: str, request: Request, env=None):
    config = configuration.load(str(CONFIGS / name))
    return make_plan(config, GUESTSI, request, env or {}, "/home/guestsi/work")


def test_readme_example_gives_its_command_with_the_documented_differences():
    plan = plan_for("rktrunner-readme.toml", Request(image="qiime_", interactive=True))
    # rktrunner printed its volumes in random order and no env file or "--";
    # here they follow the config file's order, and the exec ends with "--".
    assert plan.argv == [
        "/usr/bin/rkt", "--insecure-options=image", "run", "--interactive",
        "--set-env-file", "/proc/self/fd/3", "--net=host",
        "--set-env=HOME=/home/guestsi",
        "--volume", "home,kind=host,source=/home/guestsi",
        "--volume", "volume-config,kind=empty,uid=511,gid=511",
        "--volume", "volume-data,kind=empty,uid=511,gid=511",
        "quay.io/biocontainers/qiime:1.9.1--py27_0",
        "--mount", "volume=home,target=/home/guestsi",
        "--user=511", "--group=511", "--exec", "sh", "--",
    ]


def test_flat_options_and_options_common_together_are_refused():
    text = (CONFIGS / "rktrunner-readme.toml").read_text() + "[options.common]\n"
    with pytest.raises(configuration.ConfigError, match="options.general and "):
        configuration.parse("/etc/x.toml", text.encode())


def test_biocontainers_example_lists_each_executable_as_an_alias():
    config = configuration.load(str(CONFIGS / "rktrunner-biocontainers.toml"))
    names = [line.split(" = ")[0] for line in alias_lines(config)]
    assert names == ["blast_", "blastn", "blastp", "blastx", "irb", "julia",
                     "julia_", "ruby", "ruby_", "samtools", "samtools_",
                     "tblastn", "tblastx"]


def test_biocontainers_blastn_runs_blast_with_the_sites_options():
    plan = plan_for("rktrunner-biocontainers.toml",
                    Request(image="blastn", args=["-query", "q.fa", "-db", "nt"]))
    assert plan.argv == [
        "/usr/bin/rkt", "--insecure-options=image", "run",
        "--set-env-file", "/proc/self/fd/3", "--net=host",
        "--volume", "home,kind=host,source=/home/guestsi,recursive=true",
        "--volume", "dataset,kind=host,source=/dataset,recursive=true",
        "quay.io/biocontainers/blast:2.6.0--boost1.61_0",
        "--mount", "volume=home,target=/home/guestsi",
        "--mount", "volume=dataset,target=/dataset",
        "--user=511", "--group=511",
        "--seccomp", "mode=retain,@docker/default-whitelist,mbind",
        "--stage1-name=coreos.com/rkt/stage1-fly:1.26.0",
        "--working-dir=/home/guestsi/work",
        "--exec", "/usr/local/bin/blastn", "--", "-query", "q.fa", "-db", "nt",
    ]


def test_biocontainers_interactive_julia_image_alias_opens_a_shell():
    plan = plan_for("rktrunner-biocontainers.toml",
                    Request(image="julia_", interactive=True,
                            volumes=["volume-config"]))
    assert "volume-config,kind=empty,uid=511,gid=511" in plan.argv
    assert plan.argv[-3:] == ["--exec", "sh", "--"]


def test_biocontainers_environment_takes_proxy_and_terminal_from_the_caller():
    plan = plan_for("rktrunner-biocontainers.toml", Request(image="samtools"),
                    env={"TERM": "xterm-256color", "http_proxy": "http://p:3128"})
    assert [(n, v) for n, v, _ in plan.environment] == [
        ("HOME", "/home/guestsi"), ("http_proxy", "http://p:3128"),
        ("TERM", "xterm-256color")]
