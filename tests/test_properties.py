"""Properties: no word a user types can land before "--" or become a runtime option."""

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CONFIGS
from rktcore import config as configuration
from rktcore.identity import Caller
from rktcore.messages import Refusal
from rktcore.options import parse as parse_options
from rktcore.plan import Request, make_plan
from rktcore.preview import environment_lines

CONFIG = configuration.load(str(CONFIGS / "site.toml"))
CALLER = Caller(4242, 4300, [4301], "alice", "/home/alice")
USER_ORIGINS = ("your image", "-e", "your arguments")

# Words users type, biased towards the shapes of runtime options.
option_like = st.sampled_from([
    "--", "---", "-", "--exec", "--exec=/bin/sh", "--user=0", "--mount",
    "volume=root,target=/", "--volume", "root,kind=host,source=/", "-i",
    "--interactive", "--insecure-options=all", "--set-env-file=/etc/shadow",
    "docker://alpine", "samtools", "julia", "qiime", "",
])
word = st.one_of(option_like, st.text(max_size=12))
words = st.lists(word, max_size=6)


def requests():
    return st.builds(
        Request,
        image=word,
        exec=st.one_of(st.just(""), word),
        volumes=st.lists(st.sampled_from(["scratch", "data", "home", "x"]),
                         max_size=2),
        set_env=st.lists(st.one_of(word, st.builds("{}={}".format, word, word)),
                         max_size=3),
        interactive=st.booleans(),
        no_prefix=st.booleans(),
        args=words,
    )


def planned(request):
    try:
        return make_plan(CONFIG, CALLER, request, {}, "/home/alice")
    except Refusal:
        return None


@settings(max_examples=400, deadline=None)
@given(requests())
def test_user_arguments_come_only_after_the_end_of_options(request):
    plan = planned(request)
    if plan is None or not request.args:
        return
    end = plan.origins.index("end of rkt options")
    assert plan.argv[end] == "--"
    assert plan.argv[end + 1:] == request.args
    assert "your arguments" not in plan.origins[:end]


@settings(max_examples=400, deadline=None)
@given(requests())
def test_no_user_word_before_the_end_of_options_is_an_option(request):
    plan = planned(request)
    if plan is None:
        return
    end = (plan.origins.index("end of rkt options")
           if "end of rkt options" in plan.origins else len(plan.argv))
    for text, origin in zip(plan.argv[:end], plan.origins[:end]):
        if text == "--exec":  # the runtime's flag before the user's executable
            continue
        if origin.startswith(USER_ORIGINS):
            assert not text.startswith("-"), (text, origin)
    assert "---" not in plan.argv


@settings(max_examples=300, deadline=None)
@given(requests())
def test_the_runtime_options_do_not_depend_on_user_words(request):
    plan = planned(request)
    if plan is None:
        return
    image_at = plan.argv.index(plan.image)
    baseline = make_plan(CONFIG, CALLER, Request(
        image="qiime", volumes=request.volumes, interactive=request.interactive),
        {}, "/home/alice")
    assert plan.argv[:image_at] == baseline.argv[:baseline.argv.index(
        baseline.image)]


@settings(max_examples=300, deadline=None)
@given(requests())
def test_the_environment_file_has_one_valid_line_per_variable(request):
    plan = planned(request)
    if plan is None:
        return
    lines = environment_lines(plan)
    content = "".join(line + "\n" for line in lines)
    assert content.count("\n") == len(lines)
    assert "\r" not in content and "\0" not in content
    names = [line.partition("=")[0] for line in lines]
    assert len(set(names)) == len(names)
    assert all(name.isidentifier() and name.isascii() for name in names)


# The command line itself: rkt-run's options, a name, then the user's words.
PODMAN = configuration.parse("/etc/podman.toml", (
    'runtime = "podman"\npodman = "/usr/bin/podman"\n'
    '[options.common]\nrun = ["--net=host"]\n'
    '[volume.data]\nsource = "/data"\ntarget = "/data"\non-request = true\n'
    '[alias.samtools_]\nimage = "quay.io/biocontainers/samtools:1.3.1--5"\n'
    'exec = ["/usr/local/bin/samtools"]\n').encode())
# Mostly values a site accepts, so that most command lines reach a plan.
executable = st.one_of(st.sampled_from(["sh", "/bin/sh", "bwa", "julia"]), word)
setting = st.one_of(
    st.builds("{}={}".format, st.sampled_from(["LANG", "OMP_NUM_THREADS"]), word),
    word)
volume = st.one_of(st.just("data"), st.sampled_from(["scratch", "home"]), word)
option_words = st.one_of(
    st.tuples(st.sampled_from(["-e", "--exec", "-ie", "-vne"]),
              executable).map(list),
    executable.map(lambda value: ["--exec=" + value]),
    executable.map(lambda value: ["-e" + value]),
    st.tuples(st.just("--set-env"), setting).map(list),
    setting.map(lambda value: ["--set-env=" + value]),
    st.tuples(st.just("--volume"), volume).map(list),
    st.sampled_from([["-i"], ["-n"], ["-v"], ["-in"], ["-vin"], ["--dry-run"],
                     ["--interactive"], ["--print-env"], ["--no-image-prefix"]]),
)
names = st.one_of(st.sampled_from(["samtools", "samtools_", "julia", "julia_",
                                   "qiime", "docker://alpine"]), word)


@st.composite
def command_lines(draw):
    """Return (argv, the user's words after the name) for one rkt-run call."""
    options = [w for option in draw(st.lists(option_words, max_size=4))
               for w in option]
    name = draw(names)
    end = ["--"] if draw(st.booleans()) or name.startswith("-") else []
    args = draw(words)
    return options + end + [name] + args, args


def planned_command(config, argv):
    try:
        request = parse_options(argv).request()
        return make_plan(config, CALLER, request, {}, "/home/alice")
    except Refusal:
        return None


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([CONFIG, PODMAN]), command_lines())
def test_no_word_after_the_name_reaches_the_runtime_before_the_end_of_options(
        config, command):
    argv, args = command
    plan = planned_command(config, argv)
    if plan is None:
        return
    assert parse_options(argv).args == args
    ends = [i for i, origin in enumerate(plan.origins)
            if origin.startswith("end of ")]
    end = ends[0] if ends else len(plan.argv)
    if args:
        assert plan.argv[end] == "--"
        assert plan.argv[len(plan.argv) - len(args):] == args
        assert end < len(plan.argv) - len(args)
    for text, origin in zip(plan.argv[:end], plan.origins[:end]):
        assert origin != "your arguments", (text, origin)
        if origin.startswith(USER_ORIGINS) and text != "--exec":
            assert not text.startswith("-"), (text, origin)
