"""The podman command: the exact argv, the origin of each word, and refusals.

These need no podman: they check the plan that rkt-run would execute.
"""

import json
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import RKT_RUN
from rktcore import config as configuration
from rktcore.identity import Caller
from rktcore.images import from_podman
from rktcore.messages import ConfigError, Refusal
from rktcore.plan import Request, make_plan

ALICE = Caller(4242, 4300, [4301, 4302], "alice", "/home/alice")
ROOT = Caller(0, 0, [], "root", "/root")
IMAGE = "quay.io/biocontainers/samtools:1.3.1--5"

SITE = """\
runtime = "podman"
podman = "/usr/bin/podman"
default-interactive-cmd = "/bin/sh"

[environment]
HOME = "/home/{{.Username}}"
LANG = "C.UTF-8"

[options.common]
general = ["--log-level=error"]
run = ["--network=host"]

[options.interactive]
run = ["--hostname=interactive"]

[volume.home]
source = "{{.HomeDir}}"
target = "/home/{{.Username}}"

[volume.data]
source = "/data"
target = "/data"
read-only = true
on-request = true

[alias.samtools_]
image = "quay.io/biocontainers/samtools:1.3.1--5"
exec = ["samtools"]
"""


def site(extra: str = "", replace: tuple[str, str] = ("", "")):
    """Return the podman site config, changed as a test needs."""
    text = SITE.replace(*replace) + extra
    return configuration.parse("/etc/site.toml", text.encode())


def plan(request: Request, config=None, caller=ALICE, cwd="/work"):
    return make_plan(config or site(), caller, request, {}, cwd)


def origin_of(result, word: str) -> str:
    return result.origins[result.argv.index(word)]


def run_options(text: str):
    """Return the site config with these words as its run options."""
    return site(replace=('run = ["--network=host"]', f"run = [{text}]"))


# The command, word by word.

def test_a_batch_run_of_an_alias_is_exactly_this_command():
    assert plan(Request(image="samtools", args=["view", "x.bam"])).argv == [
        "/usr/bin/podman", "--log-level=error", "run", "--network=host",
        "--rm", "--init", "--env-file", "/proc/self/fd/3", "--user", "4242:4300",
        "--security-opt=no-new-privileges", "--http-proxy=false",
        "--volume", "/home/alice:/home/alice",
        "--", IMAGE, "samtools", "view", "x.bam",
    ]


def test_each_word_the_core_adds_says_why():
    result = plan(Request(image="samtools"))
    assert origin_of(result, "/usr/bin/podman") == "podman"
    assert origin_of(result, "--log-level=error") == "options.common.general"
    assert origin_of(result, "--rm").startswith("always")
    assert origin_of(result, "--init").startswith("always")
    assert origin_of(result, "/proc/self/fd/3").startswith("container environment")
    assert origin_of(result, "4242:4300") == "your identity (always)"
    assert origin_of(result, "--security-opt=no-new-privileges").startswith("always")
    assert origin_of(result, "--network=host") == "options.common.run"
    assert origin_of(result, "/home/alice:/home/alice") == "volume.home"
    assert origin_of(result, "--") == "end of podman options"
    assert origin_of(result, IMAGE) == "alias.samtools_.image"
    assert origin_of(result, "samtools") == "alias.samtools_.exec"


def test_the_plan_names_podman_as_its_runtime():
    assert plan(Request(image="samtools")).as_dict()["runtime"] == "podman"


def test_the_environment_goes_through_the_descriptor_not_the_command():
    result = plan(Request(image="samtools", set_env=["SECRET=s3cret"]))
    assert ("SECRET", "s3cret", "--set-env") in result.environment
    assert not any("s3cret" in word for word in result.argv)


def test_interactive_mode_passes_stdin_and_uses_its_options_and_default_command():
    result = plan(Request(image=IMAGE, interactive=True))
    assert "--interactive" in result.argv and "--tty" not in result.argv
    assert "--hostname=interactive" in result.argv
    assert result.argv[-2:] == [IMAGE, "/bin/sh"]


def test_a_terminal_is_given_only_to_an_interactive_run_from_a_terminal():
    def has_tty(interactive, tty):
        request = Request(image=IMAGE, interactive=interactive, tty=tty)
        return "--tty" in plan(request).argv

    assert has_tty(True, True)
    assert not has_tty(True, False)
    assert not has_tty(False, True)  # a terminal would merge and mangle output


def test_supplementary_groups_add_each_of_the_callers_groups():
    argv = plan(Request(image="samtools"),
                site(replace=('podman = ', 'supplementary-groups = true\npodman = '))
                ).argv
    at = argv.index("--group-add")
    assert argv[at:at + 4] == ["--group-add", "4301", "--group-add", "4302"]


def test_no_groups_are_added_unless_the_config_asks():
    assert "--group-add" not in plan(Request(image="samtools")).argv


def test_preserve_cwd_sets_the_working_directory_before_the_image():
    config = site(replace=("podman = ", "preserve-cwd = true\npodman = "))
    argv = plan(Request(image="samtools"), config, cwd="/home/alice/run 1").argv
    assert argv[argv.index("--workdir") + 1] == "/home/alice/run 1"
    assert argv.index("--workdir") < argv.index("--")


def test_an_on_request_volume_is_mounted_only_when_asked_for():
    assert "/data:/data:ro" not in plan(Request(image="samtools")).argv
    argv = plan(Request(image="samtools", volumes=["data"])).argv
    assert argv[argv.index("/data:/data:ro") - 1] == "--volume"


def test_a_volume_not_on_request_is_refused_by_name():
    with pytest.raises(Refusal, match='volume "home" is not on-request'):
        plan(Request(image="samtools", volumes=["home"]))


def test_a_source_that_renders_to_a_relative_path_is_refused():
    config = site(replace=('source = "{{.HomeDir}}"', 'source = "{{.Username}}/x"'))
    with pytest.raises(ConfigError, match="volume.home.source gives \"alice/x\""):
        plan(Request(image="samtools"), config)


# The user's words never become podman options.

HOSTILE = ["--user=0:0", "-u", "0", "--privileged", "--rm=false", "--volume=/:/host",
           "--security-opt=seccomp=unconfined", "--env-file=/etc/shadow", "--",
           "-it", "--entrypoint=/bin/sh"]


@pytest.mark.parametrize("word", HOSTILE)
def test_a_users_argument_stays_after_the_image(word):
    argv = plan(Request(image="samtools", args=[word, "x"])).argv
    assert argv[-3:] == ["samtools", word, "x"]
    assert argv.index(IMAGE) == argv.index("--") + 1


@pytest.mark.parametrize("word", HOSTILE)
def test_a_users_argument_without_an_exec_stays_after_the_image(word):
    argv = plan(Request(image=IMAGE, args=[word])).argv
    assert argv[-3:] == ["--", IMAGE, word]


@pytest.mark.parametrize("word", ["--privileged", "-u0", "--user=0"])
def test_an_executable_that_looks_like_an_option_is_refused(word):
    with pytest.raises(Refusal, match="would be read as an option"):
        plan(Request(image=IMAGE, exec=word))


user_word = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=10))


@settings(max_examples=300, deadline=None)
@given(exec=st.one_of(st.just(""), user_word),
       args=st.lists(user_word, max_size=5),
       interactive=st.booleans())
def test_the_options_before_the_image_never_depend_on_the_users_words(
        exec, args, interactive):
    request = Request(image=IMAGE, exec=exec, args=args, interactive=interactive)
    try:
        result = plan(request)
    except Refusal:
        return
    baseline = plan(Request(image=IMAGE, interactive=interactive))
    end = result.argv.index("--")
    assert result.argv[:end + 2] == baseline.argv[:end + 2]
    chosen = exec or ("/bin/sh" if interactive else "")
    assert result.argv[end + 2:] == ([chosen] if chosen else []) + args


# Options in the config that change who runs inside.

@pytest.mark.parametrize("words", [
    '"--user=0:0"', '"--user", "0"', '"-u", "0"', '"-u0"', '"-itu0"', '"-u=0"',
    '"--userns=host"', '"--privileged"', '"--group-add=0"', '"--cap-add=ALL"',
    '"--security-opt=seccomp=unconfined"', '"--uidmap=0:0:1"',
])
def test_identity_options_in_the_config_are_refused_for_a_user(words):
    with pytest.raises(ConfigError, match="only root may"):
        plan(Request(image="samtools"), run_options(words))


def test_identity_options_in_the_general_options_are_refused_too():
    config = site(replace=('general = ["--log-level=error"]',
                           'general = ["--user=0"]'))
    with pytest.raises(ConfigError, match=r"options sets --user=0,"):
        plan(Request(image="samtools"), config)


@pytest.mark.parametrize("words", ['"-it"', '"-e", "USER=0"', '"--hostname=u"'])
def test_options_that_only_resemble_identity_options_are_kept(words):
    argv = plan(Request(image="samtools"), run_options(words)).argv
    assert argv[argv.index("--user") + 1] == "4242:4300"


def test_the_callers_own_identity_in_the_config_is_accepted_once():
    config = run_options('"--user={{.Uid}}:{{.Gid}}", "--group-add={{.Gid}}"')
    argv = plan(Request(image="samtools"), config).argv
    assert "--user=4242:4300" in argv and "--user" not in argv


def test_root_may_set_another_identity_which_replaces_the_callers():
    argv = plan(Request(image="samtools"), run_options('"--user=nobody"'),
                caller=ROOT).argv
    assert "--user=nobody" in argv and "--user" not in argv
    assert "--security-opt=no-new-privileges" in argv


# The config: what a podman site may and may not say.

@pytest.mark.parametrize("extra, problem", [
    ('[options.batch]\nimage = ["--exec=x"]\n',
     "options.batch.image has no place in a podman command"),
    ('[volume.old]\nvolume = "kind=host,source=/old"\nmount = "target=/old"\n',
     "volume.old.volume is rkt's form"),
])
def test_a_podman_config_refuses_what_only_rkt_understands(extra, problem):
    with pytest.raises(ConfigError, match=problem):
        site(extra)


def test_what_rkt_run_always_adds_comes_after_the_configs_run_options_and_wins():
    # podman takes the last value of a flag given twice.
    argv = plan(Request(image="samtools"), run_options(
        '"--rm=false", "--init=false", "--http-proxy=true"')).argv
    for undone, kept in (("--rm=false", "--rm"), ("--init=false", "--init"),
                         ("--http-proxy=true", "--http-proxy=false")):
        assert argv.index(undone) < argv.index(kept) < argv.index("--")


@pytest.mark.parametrize("words", ['"--env-host"', '"--env-host=true"'])
def test_a_config_that_hands_the_app_the_runtimes_environment_is_refused(words):
    with pytest.raises(ConfigError, match="options.common.run sets --env-host"):
        run_options(words)


def test_a_podman_config_needs_the_path_of_podman():
    with pytest.raises(ConfigError, match="podman is missing"):
        site(replace=('podman = "/usr/bin/podman"\n', ""))


@pytest.mark.parametrize("volume, problem", [
    ('target = "/x"', 'needs a "volume" key, or "source" and "target"'),
    ('source = "/x"', 'needs a "volume" key, or "source" and "target"'),
    ('source = "x"\ntarget = "/x"', "source must be an absolute path"),
    ('source = "/x:/etc"\ntarget = "/x"', 'source must not contain ":"'),
    ('source = "/x"\ntarget = "/x,ro"', 'target must not contain ","'),
    ('source = "/x"\ntarget = "/x"\nmount = "target=/y"', 'mixes "mount" with'),
    ('volume = "kind=empty"\nread-only = true', "read-only goes with"),
    ('source = "/x"\ntarget = "/x"\nread-only = "yes"', "must be true or false"),
    ('source = "/x"\ntarget = "/{{.HOME}}"', "may be used outside"),
])
def test_a_malformed_volume_is_refused(volume, problem):
    text = f'rkt = "/usr/bin/rkt"\n[volume.v]\n{volume}\n'
    with pytest.raises(ConfigError, match=problem):
        configuration.parse("/etc/site.toml", text.encode())


def test_rkt_renders_a_structured_volume_as_a_host_volume_and_a_mount():
    text = ('rkt = "/usr/bin/rkt"\n[volume.ref]\nsource = "/ref/{{.Username}}"\n'
            'target = "/ref"\nread-only = true\n')
    config = configuration.parse("/etc/site.toml", text.encode())
    argv = plan(Request(image="docker://alpine"), config).argv
    assert argv[argv.index("--volume") + 1] == (
        "ref,kind=host,source=/ref/alice,readOnly=true")
    assert argv[argv.index("--mount") + 1] == "volume=ref,target=/ref"


# Images, in the shape rkt's listing has.

PODMAN_IMAGES = [
    {"Id": "d0ba", "Names": ["localhost/a:1", "localhost/a:2"], "Size": 2048,
     "Created": 1700000000},
    {"Id": "d0ba", "Names": ["localhost/a:1", "localhost/a:2"], "Size": 2048,
     "Created": 1700000000},
    {"Id": "77ee", "Size": 10, "Created": 1600000000},
]


def test_podman_images_are_listed_once_per_name_in_rkts_shape():
    assert from_podman(PODMAN_IMAGES) == [
        {"id": "d0ba", "name": "localhost/a:1", "size": 2048,
         "import_time": 1700000000 * 10**9, "last_used_time": 0},
        {"id": "d0ba", "name": "localhost/a:2", "size": 2048,
         "import_time": 1700000000 * 10**9, "last_used_time": 0},
    ]


# The preview faces show the podman command as they show rkt's.

def test_json_and_explain_show_the_podman_command(tmp_path):
    path = tmp_path / "site.toml"
    path.write_text(SITE)
    shown = subprocess.run(RKT_RUN + ["--config", str(path), "--json", "samtools"],
                           capture_output=True, text=True, check=True)
    result = json.loads(shown.stdout)
    assert result["runtime"] == "podman" and result["argv"][0] == "/usr/bin/podman"
    assert len(result["origins"]) == len(result["argv"])
    explained = subprocess.run(
        RKT_RUN + ["--config", str(path), "--explain", "samtools"],
        capture_output=True, text=True, check=True).stdout
    assert "--http-proxy=false" in explained and "<- volume.home" in explained
