"""Properties: no word a user types can land before "--" or become a runtime option.

Every property runs against an rkt site and a podman site that share their
policy, with requests that mostly reach a plan: alias names, exec basenames and
registry images, and hostile words in every channel a user controls. Run pytest
with --hypothesis-show-statistics to see the share of examples that reach one.
"""

import re

from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from rktcore import config as configuration
from rktcore.identity import Caller
from rktcore.messages import Refusal
from rktcore.options import parse as parse_options
from rktcore.plan import Request, make_plan
from rktcore.preview import environment_lines

CALLER = Caller(4242, 4300, [4301], "alice", "/home/alice")
CWD = "/home/alice/work"

# The policy both sites share; each adds its runtime first and options last.
SHARED = """
default-interactive-cmd = "/bin/sh"
preserve-cwd = true
supplementary-groups = true

[allow]
set-env = ["LANG", "OMP_*"]

[environment]
HOME = "/home/{{.Username}}"
LANG = "C.UTF-8"

[auto-image-prefix]
"bio/" = "quay.io/biocontainers/"
"bio/bwa" = "quay.io/biocontainers/bwa-mem"
"hub/" = "docker://"

[volume.home]
source = "{{.HomeDir}}"
target = "/home/{{.Username}}"

[volume.scratch]
source = "/scratch/{{.Username}}"
target = "/scratch"
on-request = true

[volume.data]
source = "/data"
target = "/data"
read-only = true
on-request = true

[alias.samtools_]
image = "quay.io/biocontainers/samtools:1.3.1--5"
exec = ["/usr/local/bin/samtools"]

[alias.julia_]
image = "docker://julia"
exec = ["/usr/local/julia/bin/julia"]
environment = { JULIA_NUM_THREADS = "4" }
environment-blacklist = ["HOME"]

[alias.qiime]
image = "quay.io/biocontainers/qiime:1.9.1--py27_0"
"""
RKT_OPTIONS = """
[options.common]
general = ["--insecure-options=image"]
run = ["--net=host"]
image = ["--user={{.Uid}}", "--group={{.Gid}}"]

[options.interactive]
image = ["--stdin=interactive"]
"""
PODMAN_OPTIONS = """
[options.common]
general = ["--log-level=error"]
run = ["--net=host"]

[options.interactive]
run = ["--detach-keys="]
"""


def site(runtime: str, options: str):
    """Return the shared policy as a checked config for one runtime."""
    text = f'runtime = "{runtime}"\n{runtime} = "/usr/bin/{runtime}"\n'
    text += SHARED + options
    return configuration.parse(f"/etc/{runtime}.toml", text.encode())


RKT = site("rkt", RKT_OPTIONS)
PODMAN = site("podman", PODMAN_OPTIONS)
SITES = st.sampled_from([RKT, PODMAN])
ALIAS_WORDS = sorted(RKT.aliases)
EXEC_ALIASES = {word for word, (_, exe) in RKT.aliases.items() if exe}
ON_REQUEST = ["scratch", "data"]
USER_ORIGINS = ("your image", "-e", "your arguments")


def mostly(usual, rarely, odds=9):
    """Draw from usual, and from rarely about once in odds + 1 draws."""
    return st.integers(0, odds).flatmap(lambda n: rarely if n == 0 else usual)


def lists_rarely_with(good, bad, max_size, odds=19):
    """Draw lists of good words; about once in odds + 1 draws, bad ones among them."""
    mixed = st.lists(st.one_of(good, bad), min_size=1, max_size=max_size)
    return mostly(st.lists(good, max_size=max_size), mixed, odds)


# Words shaped like runtime options, or like the values they take.
HOSTILE = [
    "--", "-", "--user=0", "--exec=/bin/sh", "--exec", "--mount", "-v", "-u",
    "0", "--volume", "volume=root,target=/", "root,kind=host,source=/",
    "--insecure-options=all", "--set-env-file=/etc/shadow", "--privileged",
    "--userns=host", "--rm=false", "-it", "--entrypoint=/bin/sh", "=--user=0",
    "sh,--user=0", "x/--exec=sh", "\n--user=0", "a\nb", "",
]
ONE_LINE = [word for word in HOSTILE if "\n" not in word]
any_text = st.text(st.characters(exclude_characters="\0"), max_size=12)
one_line_text = st.text(st.characters(exclude_characters="\0\n\r"), max_size=12)
hostile = st.one_of(st.sampled_from(HOSTILE), any_text)
arguments = lists_rarely_with(hostile, st.just("---"), max_size=6)

name_part = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,9}", fullmatch=True)
repository = st.lists(name_part, min_size=1, max_size=3).map("/".join)
version = st.from_regex(r":[a-z0-9][a-z0-9.-]{0,7}", fullmatch=True)
tag = st.one_of(st.just(""), version)
registry = st.sampled_from(["", "docker://", "quay.io/", "registry.example:5000/"])
prefix = st.sampled_from(["bio/", "bio/bwa", "hub/"])
registry_image = st.builds("{}{}{}".format, registry, repository, tag)
prefixed_image = st.builds("{}{}{}".format, prefix, repository, tag)
valid_image = st.one_of(st.sampled_from(ALIAS_WORDS), registry_image, prefixed_image)
images = mostly(valid_image, hostile, odds=14)

EXECUTABLES = [
    "/bin/sh", "sh", "bwa", "python3", "samtools", "/usr/local/bin/samtools",
    "x--exec=/bin/sh", "=--user=0", "sh,--mount",
]
executables = mostly(st.sampled_from(EXECUTABLES), hostile, odds=14)
volume = st.sampled_from(ON_REQUEST)
not_on_request = st.sampled_from(["home", "root", "-v", ""])
volumes = lists_rarely_with(volume, not_on_request, max_size=2)
setting_value = st.one_of(st.sampled_from(ONE_LINE), one_line_text)
allowed_name = st.sampled_from(["LANG", "OMP_NUM_THREADS", "OMP_X"])
allowed_setting = st.builds("{}={}".format, allowed_name, setting_value)
refused_setting = st.sampled_from(
    ["PATH=/tmp", "HOME=/", "--user=0", "NO_EQUALS", "LANG=a\nb", "LANG=\r"])
settings_lists = lists_rarely_with(allowed_setting, refused_setting, max_size=3)
setting = mostly(allowed_setting, refused_setting, odds=19)


@st.composite
def requests(draw):
    """Return a Request that mostly reaches a plan, hostile in every channel."""
    image = draw(images)
    exe = "" if image in EXEC_ALIASES else draw(st.one_of(st.just(""), executables))
    return Request(
        image=image,
        exec=exe,
        volumes=draw(volumes),
        set_env=draw(settings_lists),
        interactive=draw(st.booleans()),
        no_prefix=draw(mostly(st.just(False), st.just(True), odds=3)),
        args=draw(arguments),
    )


def planned(config, request):
    """Return the plan for request, or None if refused; note which for statistics."""
    note({name: getattr(request, name) for name in Request.__slots__})
    try:
        plan = make_plan(config, CALLER, request, {}, CWD)
    except Refusal as refusal:
        event("refused: " + reason(refusal))
        return None
    event("planned")
    return plan


def reason(refusal) -> str:
    """Return a refusal's message without the words it quotes."""
    return re.sub(r"\"[^\"]*\"|'[^']*'", "…", str(refusal))[:60]


def changed(request, **fields) -> Request:
    """Return a copy of request with some fields replaced."""
    kept = {name: getattr(request, name) for name in Request.__slots__}
    return Request(**{**kept, **fields})


def end_of_options(plan) -> int:
    """Return the index of the "--" that ends the runtime's options, or the length."""
    return plan.argv.index("--") if "--" in plan.argv else len(plan.argv)


def after_the_end(plan) -> list[str]:
    """Return what podman reads after "--" before the arguments; rkt reads nothing."""
    if plan.runtime == "rkt":
        return []
    return [plan.image] + ([plan.exec] if plan.exec else [])


# Neutral words for the user's slots: a plan for them is the site's alone.
IMAGE_SLOT = "registry.example/image-slot"
EXEC_SLOT = "/exec-slot"
ARGS_SLOT = "args-slot"


def site_command(config, request, plan) -> list[str]:
    """Return the command for request's site choices, neutral words in the slots."""
    neutral = Request(
        image=IMAGE_SLOT,
        exec=EXEC_SLOT if plan.exec else "",
        volumes=request.volumes,
        interactive=request.interactive,
        args=[ARGS_SLOT] if request.args else [],
    )
    return make_plan(config, CALLER, neutral, {}, CWD).argv


def filled(command, plan, args) -> list[str]:
    """Return the site's command with the plan's image, exec and args in the slots."""
    slots = {IMAGE_SLOT: [plan.image], EXEC_SLOT: [plan.exec], ARGS_SLOT: args}
    return [filler for word in command for filler in slots.get(word, [word])]


def expected_image(config, request) -> str:
    """Return the alias's image, or the named image with its longest prefix replaced."""
    entry = config.aliases.get(request.image)
    if entry:
        return config.doc["alias"][entry[0]]["image"]
    prefixes = config.doc.get("auto-image-prefix", {})
    matches = [p for p in prefixes if request.image.startswith(p)]
    if request.no_prefix or not matches:
        return request.image
    longest = max(matches, key=len)
    return prefixes[longest] + request.image[len(longest):]


def expected_exec(config, request) -> str:
    """Return the exec alias's executable, the user's, or the interactive default."""
    entry = config.aliases.get(request.image)
    if entry and entry[1]:
        return entry[1]
    if request.exec:
        return request.exec
    return config.get("default-interactive-cmd") if request.interactive else ""


@settings(max_examples=300, deadline=None)
@given(SITES, requests())
def test_user_arguments_follow_the_end_of_options_in_order_and_alone(config, request):
    plan = planned(config, request)
    if plan is None:
        return
    end = end_of_options(plan)
    assert plan.argv[end + 1:] == after_the_end(plan) + request.args
    if request.args or plan.runtime == "podman":
        assert plan.origins[end] == f"end of {plan.runtime} options"


@settings(max_examples=300, deadline=None)
@given(SITES, requests())
def test_user_words_fill_only_the_image_executable_and_argument_slots(
        config, request):
    """Set-env, arguments and the rest never change a word the site writes."""
    plan = planned(config, request)
    if plan is None:
        return
    command = site_command(config, request, plan)
    assert plan.argv == filled(command, plan, request.args)


@settings(max_examples=300, deadline=None)
@given(SITES, requests())
def test_no_user_word_before_the_end_of_options_starts_with_a_dash(config, request):
    plan = planned(config, request)
    if plan is None:
        return
    end = end_of_options(plan)
    for word, origin in zip(plan.argv[:end], plan.origins[:end]):
        assert origin != "your arguments", word
        if word == "--exec":  # rkt's flag, which shares its value's origin
            continue
        if origin.startswith(USER_ORIGINS):
            assert not word.startswith("-"), (word, origin)
    assert not plan.image.startswith("-")
    assert not plan.exec.startswith("-")


@settings(max_examples=100, deadline=None)
@given(requests(), st.integers(0, 6))
def test_no_rkt_plan_holds_the_argument_that_would_start_a_second_app(
        request, at):
    """rkt reads "---" as the start of another app even after "--"."""
    request.args.insert(min(at, len(request.args)), "---")
    assert planned(RKT, request) is None


@settings(max_examples=300, deadline=None)
@given(SITES, requests())
def test_the_image_and_executable_slots_hold_what_the_user_named(config, request):
    plan = planned(config, request)
    if plan is None:
        return
    assert plan.image == expected_image(config, request)
    assert plan.exec == expected_exec(config, request)


@settings(max_examples=300, deadline=None)
@given(SITES, requests())
def test_a_requested_volume_adds_only_the_sites_words_for_it(config, request):
    plan = planned(config, request)
    if plan is None:
        return
    requested = {f"volume.{name}" for name in request.volumes}
    kept = [w for w, o in zip(plan.argv, plan.origins) if o not in requested]
    bare = make_plan(config, CALLER, changed(request, volumes=[]), {}, CWD)
    assert kept == bare.argv
    assert set(request.volumes) <= set(ON_REQUEST)
    added = [w for w, o in zip(plan.argv, plan.origins) if o in requested]
    assert set(added[0::2]) <= {"--volume", "--mount"}
    assert not any(word.startswith("-") for word in added[1::2])


@settings(max_examples=300, deadline=None)
@given(SITES, requests())
def test_set_env_reaches_the_environment_file_and_never_the_command(
        config, request):
    plan = planned(config, request)
    if plan is None:
        return
    bare = make_plan(config, CALLER, changed(request, set_env=[]), {}, CWD)
    assert plan.argv == bare.argv
    for name, value in dict(s.split("=", 1) for s in request.set_env).items():
        assert (name, value, "--set-env") in plan.environment


@settings(max_examples=300, deadline=None)
@given(SITES, requests())
def test_the_environment_file_has_one_valid_line_per_variable(config, request):
    plan = planned(config, request)
    if plan is None:
        return
    lines = environment_lines(plan)
    content = "".join(line + "\n" for line in lines)
    assert content.count("\n") == len(lines)
    assert "\r" not in content and "\0" not in content
    names = [line.partition("=")[0] for line in lines]
    assert len(set(names)) == len(names)
    assert all(name.isidentifier() and name.isascii() for name in names)


def with_prefix(config, prefix: str, replacement: str):
    """Return config with one more auto-image-prefix, past the config's own checks."""
    doc = {**config.doc}
    doc["auto-image-prefix"] = {**doc.get("auto-image-prefix", {}),
                                prefix: replacement}
    return configuration.Config(config.path, doc, config.aliases)


# Built past the rules, which may refuse an empty replacement: the plan must
# refuse an image that its prefix turns into an option even so.
BARE_PREFIX_SITES = st.sampled_from([with_prefix(RKT, "x/", ""),
                                     with_prefix(PODMAN, "x/", "")])
prefixed_words = st.builds("x/{}".format, st.one_of(hostile, valid_image))


@settings(max_examples=300, deadline=None)
@given(BARE_PREFIX_SITES, st.one_of(prefixed_words, hostile), arguments)
def test_a_prefix_replaced_by_nothing_never_turns_the_image_into_an_option(
        config, word, args):
    request = Request(image=word, args=args)
    plan = planned(config, request)
    if plan is None:
        return
    assert not plan.image.startswith("-")
    assert plan.argv == filled(site_command(config, request, plan), plan, args)


# The command line itself: rkt-run's options, a name, then the user's words.
def exec_options(value):
    """Return the ways of giving -e value on the command line."""
    ways = [["-e", value], ["--exec", value], ["-ie", value], ["-vne", value],
            ["--exec=" + value]]
    # "-e" alone would take the next word as its value.
    return st.sampled_from(ways + [["-e" + value]] if value else ways)


def set_env_options(value):
    """Return the ways of giving --set-env value on the command line."""
    return st.sampled_from([["--set-env", value], ["--set-env=" + value]])


flag_words = st.sampled_from([
    ["-i"], ["-n"], ["-v"], ["-in"], ["-vin"], ["--dry-run"], ["--interactive"],
    ["--print-env"], ["--no-image-prefix"],
])
other_option_words = st.one_of(
    setting.flatmap(set_env_options),
    mostly(volume, not_on_request, odds=19).map(lambda name: ["--volume", name]),
    flag_words,
)


@st.composite
def command_lines(draw):
    """Return (argv, the user's words after the name) for one rkt-run call."""
    name = draw(images)
    options = draw(st.lists(other_option_words, max_size=3))
    if name not in EXEC_ALIASES and draw(st.booleans()):
        options.append(draw(executables.flatmap(exec_options)))
    words = [word for option in draw(st.permutations(options)) for word in option]
    end = ["--"] if draw(st.booleans()) or name.startswith("-") else []
    args = draw(arguments)
    return words + end + [name] + args, args


@settings(max_examples=500, deadline=None)
@given(SITES, command_lines())
def test_no_word_after_the_name_reaches_the_runtime_before_the_end_of_options(
        config, command):
    argv, args = command
    try:
        request = parse_options(argv).request()
    except Refusal as refusal:
        event("refused: " + reason(refusal))
        return
    assert request.args == args
    plan = planned(config, request)
    if plan is None:
        return
    end = end_of_options(plan)
    assert plan.argv[end + 1:] == after_the_end(plan) + args
    assert plan.argv == filled(site_command(config, request, plan), plan, args)
