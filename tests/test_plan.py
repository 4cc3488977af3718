"""The plan: each key and option shapes the command as rktrunner did, with origins."""

import pytest

from conftest import CONFIGS
from rktcore import config as configuration
from rktcore.identity import Caller
from rktcore.messages import Refusal, UsageError
from rktcore.plan import Request, make_plan

ALICE = Caller(4242, 4300, [4301, 4302], "alice", "/home/alice")
ROOT = Caller(0, 0, [], "root", "/root")


def site(extra: str = "", top: str = "", replace: tuple[str, str] = ("", "")):
    """Return the site config, with top-level keys, tables or a replacement."""
    text = top + (CONFIGS / "site.toml").read_text().replace(*replace) + extra
    return configuration.parse("/etc/site.toml", text.encode())


IDENTITY_OPTIONS = 'image = ["--user={{.Uid}}", "--group={{.Gid}}"]'


def plan(request: Request, config=None, caller=ALICE, env=None, cwd="/work"):
    return make_plan(config or site(), caller, request, env or {}, cwd)


def origin_of(result, word: str) -> str:
    return result.origins[result.argv.index(word)]


def test_options_come_from_common_then_the_mode_in_rktrunner_order():
    argv = plan(Request(image="qiime")).argv
    assert argv[:3] == ["/usr/bin/rkt", "--insecure-options=image", "run"]
    assert argv[3:6] == ["--set-env-file", "/proc/self/fd/3", "--net=host"]
    assert argv[6] == "--no-overlay"


def test_interactive_mode_uses_its_options_the_default_command_and_one_flag():
    result = plan(Request(image="qiime", interactive=True))
    argv = result.argv
    assert argv[:4] == ["/usr/bin/rkt", "--insecure-options=image", "--debug", "run"]
    assert argv.count("--interactive") == 1
    assert "--no-overlay" not in argv
    assert argv[-4:] == ["--stdin=interactive", "--exec", "/bin/sh", "--"]
    assert origin_of(result, "/bin/sh") == "default-interactive-cmd"
    assert result.mode == "interactive"


def test_interactive_flag_is_not_repeated_when_the_config_gives_it():
    config = site(replace=('general = ["--debug"]',
                           'general = ["--debug"]\nrun = ["--interactive"]'))
    assert plan(Request(image="qiime", interactive=True), config).argv.count(
        "--interactive") == 1


def test_default_volumes_come_in_config_order_with_mounts_after_the_image():
    argv = plan(Request(image="qiime")).argv
    image_at = argv.index("quay.io/biocontainers/qiime:1.9.1--py27_0")
    before, after = argv[:image_at], argv[image_at:]
    assert [w for w in before if w.startswith(("home,", "tmp,"))] == [
        "home,kind=host,source=/home/alice", "tmp,kind=empty,uid=4242,gid=4300"]
    assert "volume=home,target=/home/alice" in after
    assert not any(w.startswith("volume=tmp") for w in argv)
    assert not any("scratch" in w or "/data" in w for w in argv)


def test_on_request_volumes_appear_only_when_asked_for():
    result = plan(Request(image="qiime", volumes=["data"]))
    assert "data,kind=host,source=/data,readOnly=true" in result.argv
    assert "volume=data,target=/data" in result.argv
    assert not any("scratch" in w for w in result.argv)
    assert origin_of(result, "volume=data,target=/data") == "volume.data"


def test_a_volume_that_is_not_on_request_is_refused_with_the_choices():
    with pytest.raises(Refusal) as caught:
        plan(Request(image="qiime", volumes=["home"]))
    assert str(caught.value) == ('volume "home" is not on-request; ask for one '
                                 "of: scratch, data")


def test_an_unknown_volume_is_refused():
    with pytest.raises(Refusal, match='volume "etc" is not on-request'):
        plan(Request(image="qiime", volumes=["etc"]))


def test_an_exec_alias_runs_its_executable():
    result = plan(Request(image="samtools", args=["view", "x.bam"]))
    assert result.argv[-5:] == ["--exec", "/usr/local/bin/samtools", "--", "view",
                                "x.bam"]
    assert result.alias == "samtools_"
    assert origin_of(result, "/usr/local/bin/samtools") == "alias.samtools_.exec"


def test_exec_with_an_exec_alias_is_refused():
    with pytest.raises(Refusal, match='"samtools" already runs'):
        plan(Request(image="samtools", exec="sh"))


def test_the_user_may_choose_the_exec_by_default():
    result = plan(Request(image="qiime", exec="print_qiime_config.py"))
    assert result.argv[-3:] == ["--exec", "print_qiime_config.py", "--"]
    assert origin_of(result, "print_qiime_config.py") == "-e"


def test_allow_exec_false_refuses_a_chosen_exec_but_keeps_listed_ones():
    config = site("[allow]\nexec = false\n")
    with pytest.raises(Refusal, match="does not let you choose the executable"):
        plan(Request(image="qiime", exec="sh"), config)
    listed = plan(Request(image="julia_", exec="julia"), config)
    assert listed.argv[-3:] == ["--exec", "julia", "--"]


def test_user_arguments_always_follow_a_double_dash():
    argv = plan(Request(image="qiime", args=["--user=0"])).argv
    assert argv[-2:] == ["--", "--user=0"]


def test_without_exec_or_arguments_there_is_no_double_dash():
    assert plan(Request(image="qiime")).argv[-1] == "--group=4300"


def test_the_longest_auto_image_prefix_wins():
    result = plan(Request(image="biocontainers/bwa:0.7.15--0"))
    assert "docker://quay.io/biocontainers/bwa:0.7.15--0" in result.argv
    other = plan(Request(image="biocontainers/fastqc:0.11.5--1"))
    assert "docker://biocontainers/fastqc:0.11.5--1" in other.argv


def test_an_image_whose_prefix_is_replaced_by_nothing_cannot_become_an_option():
    config = site(replace=('[auto-image-prefix]\n',
                           '[auto-image-prefix]\n"x/" = ""\n'))
    assert plan(Request(image="x/alpine:3"), config).image == "alpine:3"
    with pytest.raises(Refusal, match='image "--exec=/bin/sh" starts with "-"'):
        plan(Request(image="x/--exec=/bin/sh"), config)
    with pytest.raises(Refusal, match="image is empty"):
        plan(Request(image="x/"), config)


def test_no_image_prefix_uses_the_image_as_given():
    result = plan(Request(image="biocontainers/fastqc", no_prefix=True))
    assert "biocontainers/fastqc" in result.argv


def test_restrict_images_allows_aliases_only():
    restricted = site(top="restrict-images = true\n")
    with pytest.raises(Refusal, match="runs aliases only"):
        plan(Request(image="docker://alpine"), restricted)
    assert plan(Request(image="qiime"), restricted).alias == "qiime"


@pytest.mark.parametrize("image", ["-it", "--exec=/bin/sh"])
def test_an_image_starting_with_a_dash_is_refused(image):
    with pytest.raises(Refusal, match="starts with"):
        plan(Request(image=image))


def test_an_exec_starting_with_a_dash_is_refused():
    with pytest.raises(Refusal, match='executable "--privileged" starts with'):
        plan(Request(image="qiime", exec="--privileged"))


def test_an_image_with_spaces_or_control_characters_is_refused():
    with pytest.raises(Refusal, match="control characters"):
        plan(Request(image="alpine\n--exec"))


def test_triple_dash_is_refused():
    with pytest.raises(Refusal, match='"---"'):
        plan(Request(image="qiime", args=["a", "---", "docker://evil"]))


def test_a_missing_image_is_a_usage_error():
    with pytest.raises(UsageError, match="no image or alias given"):
        plan(Request())


def test_the_environment_comes_from_environment_then_the_alias_minus_blacklist():
    result = plan(Request(image="julia_"), env={"http_proxy": "http://proxy:3128"})
    assert result.environment == [
        ("http_proxy", "http://proxy:3128", "environment.http_proxy"),
        ("JULIA_NUM_THREADS", "4", "alias.julia_.environment.JULIA_NUM_THREADS"),
        ("LANG", "en_NZ.UTF-8", "alias.julia_.environment.LANG"),
    ]


def test_an_environment_entry_that_renders_empty_is_dropped():
    names = [name for name, _, _ in plan(Request(image="qiime")).environment]
    assert names == ["HOME", "LANG"]


def test_an_environment_variable_with_a_newline_is_refused():
    with pytest.raises(Refusal, match="environment.http_proxy would contain a line"):
        plan(Request(image="qiime"), env={"http_proxy": "x\nLD_PRELOAD=/tmp/e.so"})


def test_set_env_adds_to_the_environment_last():
    result = plan(Request(image="qiime", set_env=["LANG=fr_FR.UTF-8", "A=1=2"]))
    assert result.environment[-2:] == [("LANG", "fr_FR.UTF-8", "--set-env"),
                                       ("A", "1=2", "--set-env")]


@pytest.mark.parametrize("setting, problem", [
    ("NOEQUALS", 'has no "="'),
    ("1X=a", "is not a variable name"),
    ("A-B=a", "is not a variable name"),
    ("X=a\nY=b", "contains a line break"),
    ("X=a\rb", "contains a line break"),
    ("X=a\0b", "contains a line break"),
])
def test_a_malformed_set_env_is_refused(setting, problem):
    with pytest.raises(Refusal, match=problem):
        plan(Request(image="qiime", set_env=[setting]))


def test_the_alias_blacklist_binds_set_env():
    with pytest.raises(Refusal, match="alias julia_ does not let you set HOME"):
        plan(Request(image="julia", set_env=["HOME=/tmp"]))


def test_allow_set_env_patterns_bound_user_settings():
    config = site('[allow]\nset-env = ["LANG", "OMP_*"]\n')
    result = plan(Request(image="qiime", set_env=["OMP_NUM_THREADS=8"]), config)
    assert ("OMP_NUM_THREADS", "8", "--set-env") in result.environment
    with pytest.raises(Refusal) as caught:
        plan(Request(image="qiime", set_env=["LD_PRELOAD=/x.so"]), config)
    assert str(caught.value) == ("this site does not let you set LD_PRELOAD; you "
                                 "may set: LANG, OMP_*")


def test_allow_set_env_false_refuses_every_setting():
    config = site("[allow]\nset-env = false\n")
    with pytest.raises(Refusal, match="drop --set-env"):
        plan(Request(image="qiime", set_env=["A=1"]), config)


def test_allow_interactive_false_refuses_interactive_runs():
    config = site("[allow]\ninteractive = false\n")
    with pytest.raises(Refusal, match="does not allow interactive runs"):
        plan(Request(image="qiime", interactive=True), config)


def test_identity_options_are_added_when_the_config_has_none():
    config = site(replace=(IDENTITY_OPTIONS, ""))
    result = plan(Request(image="qiime"), config)
    assert result.argv[-2:] == ["--user=4242", "--group=4300"]
    assert result.origins[-1] == "your identity (always)"


@pytest.mark.parametrize("options", [
    '["--user=0"]', '["--user", "0"]', '["--group=0"]',
    '["--supplementary-gids=0"]'])
def test_a_config_that_runs_the_app_as_someone_else_is_refused(options):
    config = site(replace=(IDENTITY_OPTIONS, f"image = {options}"))
    with pytest.raises(Refusal, match="only root may"):
        plan(Request(image="qiime"), config)
    assert plan(Request(image="qiime"), config, caller=ROOT).argv


def test_supplementary_groups_pass_the_callers_groups():
    result = plan(Request(image="qiime"), site(top="supplementary-groups = true\n"))
    assert "--supplementary-gids=4301,4302" in result.argv


def test_preserve_cwd_sets_the_working_directory():
    config = site(replace=("preserve-cwd = false", "preserve-cwd = true"))
    result = plan(Request(image="qiime"), config, cwd="/home/alice/project x")
    assert "--working-dir=/home/alice/project x" in result.argv
    assert origin_of(result, "--working-dir=/home/alice/project x") == "preserve-cwd"


def test_recursive_mounts_make_host_volumes_recursive():
    config = site(top="recursive-mounts = true\n")
    argv = plan(Request(image="qiime"), config).argv
    assert "home,kind=host,source=/home/alice,recursive=true" in argv
    assert "tmp,kind=empty,uid=4242,gid=4300" in argv


def test_make_plan_is_pure():
    config = site()
    request = Request(image="samtools", volumes=["data"], set_env=["A=1"],
                      args=["view"])
    first = plan(request, config)
    second = plan(request, config)
    assert first.as_dict() == second.as_dict()
    assert request.args == ["view"] and request.volumes == ["data"]


@pytest.mark.parametrize("image", [
    "/home/bob/private.aci", "./x.aci", "../../root/x.aci", "~root/x.aci",
    "file:///root/x.aci", "oci-archive:/root/x.tar", "docker-archive:/x.tar",
    "dir:/root/img", "containers-storage:alpine", "quay.io/../../etc/x",
    "tarball:/root/backup.tar", "atomic:registry/x",
])
def test_an_image_that_names_a_local_file_is_refused(image):
    with pytest.raises(Refusal, match="names a local file"):
        plan(Request(image=image, no_prefix=True))


def test_registry_images_and_aliases_with_local_paths_are_accepted():
    assert plan(Request(image="docker://alpine:3")).image == "docker://alpine:3"
    assert plan(Request(image="quay.io/biocontainers/x:1--0")).argv


def test_a_spaced_template_renders_like_the_dotted_form():
    config = site(replace=('mount = "target=/home/{{.Username}}"',
                           'mount = "target=/home/{{ Username }}"'))
    result = plan(Request(image="qiime"), config)
    assert "volume=home,target=/home/alice" in result.argv
    assert not any("{{" in word for word in result.argv)


def options_config(mode: str, cls: str, words: str):
    """Return a config whose only options are words in [options.MODE] CLASS."""
    text = f'rkt = "/usr/bin/rkt"\n[options.{mode}]\n{cls} = {words}\n'
    return configuration.parse("/etc/site.toml", text.encode())


@pytest.mark.parametrize("mode, cls", [
    ("common", "general"), ("common", "fetch"), ("common", "run"),
    ("batch", "run"), ("interactive", "image"), ("interactive", "general"),
])
def test_identity_options_in_any_class_are_refused_by_their_key(mode, cls):
    config = options_config(mode, cls, '["--user=0"]')
    request = Request(image="docker://alpine", interactive=mode == "interactive")
    with pytest.raises(Refusal) as caught:
        plan(request, config)
    assert str(caught.value).startswith(
        f"/etc/site.toml: options.{mode}.{cls} sets --user=0, which would run "
        "the app as someone other than you (alice); only root may")
    assert plan(request, config, caller=ROOT).argv


def test_an_identity_option_split_from_its_value_is_refused_in_run():
    config = options_config("common", "run", '["--net=host", "--group", "0"]')
    with pytest.raises(Refusal, match="options.common.run sets --group=0"):
        plan(Request(image="docker://alpine"), config)


def test_the_callers_own_identity_in_run_options_is_accepted():
    config = options_config("common", "run", '["--user={{.Uid}}"]')
    argv = plan(Request(image="docker://alpine"), config).argv
    assert argv[-2:] == ["--user=4242", "--group=4300"]


@pytest.mark.parametrize("runtime", ["rkt", "podman"])
def test_fetch_options_are_accepted_and_add_nothing_to_the_command(runtime):
    top = f'runtime = "{runtime}"\n{runtime} = "/usr/bin/{runtime}"\n'
    options = '[options.common]\nrun = ["--net=host"]\n'
    fetch = ('fetch = ["--trust-keys-from-https"]\n'
             '[options.batch]\nfetch = ["--no-store"]\n'
             '[options.interactive]\nfetch = ["--full"]\n')
    without = configuration.parse("/etc/site.toml", (top + options).encode())
    with_fetch = configuration.parse("/etc/site.toml",
                                     (top + options + fetch).encode())
    for interactive in (False, True):
        request = Request(image="docker://alpine", interactive=interactive)
        assert plan(request, with_fetch).argv == plan(request, without).argv
