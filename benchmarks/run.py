"""Measure rkt-run and rkt-tui at 1, 300 and 10,000 aliases; print one table.

    .venv/bin/python benchmarks/run.py [--runs 30]

Run it as root, as a site's users' runs are privileged: the config cache is
written and read only by root. rkt-run is installed with rkt-run-admin under
a temporary prefix, once per catalogue size, and the headline figure is what
a user pays: the installed setuid launcher, started by an ordinary user
(nobody), on the site config it was installed with. Its baseline is the
system interpreter started as the launcher starts it (-I -S -B) on an
empty program. The other rows start the installed entry script directly, as
root, to take each part's cost apart.
Where no installation can be made (not root, no C compiler), a small entry
script runs the checkout instead, and the table's note says so.

Subject and baseline runs are interleaved, in a shuffled order each round, and
each figure is a median; the ratios compare medians from the same rounds, so a
busy machine slows both sides alike. Everything the script makes lives in a
temporary directory removed afterwards, with the cache entries of its configs.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1, 300, 10_000)
DRY_RUN_TARGETS = {1: 1.5, 300: 1.5, 10_000: 2.0}
MEMORY_TARGET_MB = 30
FRAME_TARGET_S = 1.5
KEYSTROKE_TARGET_MS = 50
PODMAN_TARGET = 1.15
PODMAN_IMAGE = "localhost/rkttui-test:latest"
FILTER = "samto"

SITE = """\
rkt = "/usr/bin/rkt"
default-interactive-cmd = "sh"

[environment]
HOME = "/home/{{.Username}}"
http_proxy = "{{.http_proxy}}"

[options.common]
general = ["--insecure-options=image"]
run = ["--net=host"]
image = ["--user={{.Uid}}", "--group={{.Gid}}"]

[auto-image-prefix]
"biocontainers/" = "docker://quay.io/biocontainers/"

[volume.home]
volume = "kind=host,source={{.HomeDir}}"
mount = "target=/home/{{.Username}}"

[volume.scratch]
volume = "kind=host,source=/scratch"
mount = "target=/scratch"
on-request = true
"""

PODMAN_SITE = """\
runtime = "podman"
podman = "{podman}"
audit-log = "{audit}"

[options.common]
run = ["--network=host"]

[alias.true_]
image = "{image}"
exec = ["/bin/true"]
"""

# An entry script like the installed one; {path} puts the code on sys.path,
# {before} runs before rkt-run, {after} once it has returned.
ENTRY = """\
import sys
{path}
from rktcore import cache
{before}
from rktcore.cli import exit_now, main
status = main()
{after}
exit_now(status)
"""
# Tell afterwards whether the run needed the TOML parser.
REPORT = 'print("parsed" if "tomli" in sys.modules else "cache hit", file=sys.stderr)'

# Run argv from a small process and print its peak resident memory in KiB. A
# child's peak includes the memory of the process that forked it, so the
# benchmark itself (tens of MB) must not be that process.
PEAK = """\
import os, sys
pid = os.fork()
if pid == 0:
    quiet = os.open("/dev/null", os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss if status == 0 else -1)
"""

# rkt-tui headless: say "ready" once the first frame is drawn, then type the
# filter letter by letter, clearing it between rounds, and print each time.
# A keystroke's time runs from the key reaching the app, as a terminal's key
# does, to the end of the first frame written after the list changed: what the
# user waits for. (Pilot's press and pause are not used to time it: each waits
# for the app to idle in steps of 20 ms, a floor of its own.) The baseline is
# a cursor move on the list, timed the same way on the same screen.
TUI = """\
import asyncio, json, sys, time
from textual import events
from textual.screen import Screen
from rkttui.app import RktTui
from rkttui.site import open_site
from rkttui.widgets.catalogue_list import CatalogueList

marks = {"changed": None, "drawn": None}
list_refresh = CatalogueList.refresh
def refresh(self, *args, **kwargs):
    if marks["changed"] is None:
        marks["changed"] = time.perf_counter()
    return list_refresh(self, *args, **kwargs)
CatalogueList.refresh = refresh
screen_refresh = Screen._compositor_refresh
def compositor_refresh(self):
    screen_refresh(self)
    if marks["changed"] is not None and marks["drawn"] is None:
        marks["drawn"] = time.perf_counter()
Screen._compositor_refresh = compositor_refresh

async def timed_key(app, pilot, key):
    await pilot.pause()
    marks["changed"] = marks["drawn"] = None
    start = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
    while marks["drawn"] is None:
        await asyncio.sleep(0.0005)
    return marks["drawn"] - start

async def main(config, letters, rounds):
    app = RktTui(open_site(config), config_path=config, rkt_run=None,
                 remember=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        print("ready", flush=True)
        times, moves = [], []
        for _ in range(rounds):
            for key in ("down", "up") * 3:
                moves.append(await timed_key(app, pilot, key))
            await pilot.press("slash")
            for letter in letters:
                times.append(await timed_key(app, pilot, letter))
            await pilot.press("escape")
            await pilot.pause()
        print(json.dumps([times, moves]), flush=True)

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""

SYLLABLES = ("sam", "to", "bio", "seq", "kit", "bam", "vcf", "ali", "gn", "mer",
             "blast", "hmm", "fast", "qc", "trim", "map", "star", "salm", "on",
             "kra", "ken", "spades", "mega", "hit", "pica", "rd", "ivar", "nano")


class Unavailable(Exception):
    """A measurement that cannot be made here; the message says why."""


def main() -> None:
    """Generate the configs, measure everything, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30,
                        help="runs of each rkt-run subject (default 30)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rkttui-bench-") as workdir:
        bench = Bench(Path(workdir), arguments.runs)
        try:
            rows = bench.measure()
        finally:
            bench.forget_cache()
    print(table(rows))
    print()
    print(machine(bench))


class Bench:
    """The generated configs, the ways of starting rkt-run, and the measurements."""

    def __init__(self, workdir: Path, runs: int):
        workdir.chmod(0o755)  # root's and readable: the cache trusts only such
        self.workdir = workdir
        self.runs = runs
        self.python = system_python()
        self.configs = {size: write_config(workdir, size) for size in SIZES}
        self.names = {size: middle_name(size) for size in SIZES}
        self.install_problem = ""
        try:
            self.prefixes = {size: install(workdir, self.configs[size], size)
                             for size in SIZES}
            self.installed = self.prefixes[300]
        except Unavailable as problem:
            self.install_problem = str(problem)
            self.installed = None
            self.prefixes = {}
        self.cache_dir = self.entries()

    def entries(self) -> str:
        """Write the entry scripts; return the cache directory they use."""
        if self.installed:
            path = f"sys.path.append({str(self.installed / 'lib' / 'rkttui')!r})"
            self.entry = self.installed / "lib" / "rkttui" / "rkt-run.py"
            cache_dir = "/var/cache/rkttui"
        else:
            import tomli

            site = str(Path(tomli.__file__).resolve().parent.parent)
            path = f"sys.path[:0] = [{str(ROOT / 'core')!r}, {site!r}]"
            cache_dir = str(self.workdir / "cache")
            os.makedirs(cache_dir, mode=0o700)
            self.entry = self.write_entry("entry.py", path, cache_dir)
        self.uncached = self.write_entry("uncached.py", path,
                                         str(self.workdir / "absent" / "cache"))
        self.probe = self.write_entry("probe.py", path, cache_dir, REPORT)
        return cache_dir

    def write_entry(self, name: str, path: str, cache_dir: str, after="") -> Path:
        entry = self.workdir / name
        before = f"cache.DIRECTORY = {cache_dir!r}"
        entry.write_text(ENTRY.format(path=path, before=before, after=after))
        return entry

    def rkt_run(self, size: int, *argv: str, entry: Path | None = None) -> list:
        return [self.python, "-I", "-S", "-B", str(entry or self.entry), "--config",
                str(self.configs[size]), *argv]

    def bare(self) -> list[str]:
        """Return the interpreter started as the launcher starts it, on nothing."""
        empty = self.workdir / "empty.py"
        empty.write_text("")
        empty.chmod(0o644)
        return [self.python, "-I", "-S", "-B", str(empty)]

    def measure(self) -> list[list[str]]:
        """Measure every row of the table."""
        time.sleep(2.1)  # a config changed in the last two seconds is not cached
        hits = {size: self.cache_state(size) for size in SIZES}
        subjects = {"bare": self.bare()}
        for size in SIZES:
            name = self.names[size]
            subjects["dry", size] = self.rkt_run(size, "--dry-run", name)
            subjects["parse", size] = self.rkt_run(size, "--dry-run", name,
                                                   entry=self.uncached)
            subjects["list", size] = self.rkt_run(size, "-l")
        times = interleave(subjects, self.runs)
        peaks = {key: peak_memory(self.python, argv) for key, argv in subjects.items()}
        rows = self.user_rows()
        rows += rkt_run_rows(times, peaks, hits)
        rows += tui_rows(self.configs[10_000])
        rows += podman_rows(self)
        return rows

    def user_rows(self) -> list[list[str]]:
        """Return the headline: a user's dry run through the setuid launcher."""
        label = "`rkt-run --dry-run ALIAS` by a user, through the setuid launcher"
        target = "≤ 1.5× · 1.5× · 2×"
        if not self.prefixes:
            return [[label, f"not available: {self.install_problem}", "", "",
                     target, "—"]]
        subjects = {"bare": self.bare()}
        for size, prefix in self.prefixes.items():
            subjects[size] = [str(prefix / "bin" / "rkt-run"), "--dry-run",
                              self.names[size]]
        times = as_user(USER_UID, interleave, subjects, self.runs)
        bare = statistics.median(times["bare"])
        ratios = {size: statistics.median(times[size]) / bare for size in SIZES}
        met = all(ratios[size] <= DRY_RUN_TARGETS[size] for size in SIZES)
        return [["bare interpreter as the launcher starts it, empty program, by "
                 "the user (the baseline)", *[milliseconds(bare)] * 3, "—", "—"],
                [label, *[f"{milliseconds(ratios[size] * bare)} = "
                          f"{ratios[size]:.2f}×" for size in SIZES],
                 target, verdict(met)]]

    def cache_state(self, size: int) -> str:
        """Run the dry run twice (the first fills the cache); say how the second ran."""
        argv = self.rkt_run(size, "--dry-run", self.names[size], entry=self.probe)
        for _ in range(2):
            done = subprocess.run(argv, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"rkt-run failed: {done.stderr.strip()}")
        return done.stderr.strip().splitlines()[-1]

    def forget_cache(self) -> None:
        """Remove the cache entries of the generated configs."""
        sys.path.insert(0, str(ROOT / "core"))
        from rktcore.cache import entry_name

        for config in self.workdir.glob("*.toml"):
            try:
                os.unlink(os.path.join(self.cache_dir, entry_name(str(config))))
            except OSError:
                pass


def system_python() -> str:
    """Return the interpreter the launcher would execute: this venv's base one."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return os.path.join(sys.base_prefix, "bin", version)


def install(workdir: Path, site_config: Path, size: int) -> Path:
    """Install rkt-run for site_config with rkt-run-admin; return the prefix."""
    if os.geteuid() != 0:
        raise Unavailable("not root")
    prefix = workdir / f"prefix-{size}"
    done = subprocess.run([sys.executable, "-m", "rktcore.admin", "install",
                           "--prefix", str(prefix), "--config", str(site_config)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no message"]
        raise Unavailable(f"rkt-run-admin install failed: {lines[-1]}")
    return prefix


def write_config(workdir: Path, size: int) -> Path:
    """Write a site config with size aliases, each with one to three executables."""
    rng = random.Random(size)
    sections = [SITE]
    for index, name in enumerate(tool_names(rng, size)):
        sections.append(alias_section(rng, index, name))
    path = workdir / f"aliases-{size}.toml"
    path.write_text("\n".join(sections))
    path.chmod(0o644)
    return path


def tool_names(rng: random.Random, count: int) -> list[str]:
    """Return count distinct tool names made of BioContainers-like syllables."""
    names: dict[str, None] = {}
    while len(names) < count:
        name = "".join(rng.sample(SYLLABLES, rng.randint(1, 3)))
        while name in names:
            name += str(rng.randint(0, 9))
        names[name] = None
    return list(names)


def alias_section(rng: random.Random, index: int, name: str) -> str:
    """Return one [alias.NAME_] table: an image, executables, a description."""
    execs = [name] + [f"{name}-{part}" for part in ("index", "stats")]
    chosen = ", ".join(f'"{exe}"' for exe in execs[: 1 + index % 3])
    version = f"{rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    return (f"[alias.{name}_]\n"
            f'image = "quay.io/biocontainers/{name}:{version}--h{index:05x}_0"\n'
            f"exec = [{chosen}]\n"
            f'description = "{name}, tool {index} of the catalogue, for sequence '
            'analysis"\n')


def middle_name(size: int) -> str:
    """Return the first executable of the alias in the middle of the catalogue."""
    names = tool_names(random.Random(size), size)
    return names[len(names) // 2]


USER_UID = 65534  # nobody: a user with no rights of its own


def as_user(uid: int, function, *args):
    """Return function(*args) computed in a child process running as uid alone."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            os.close(reader)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            answer = json.dumps(list(function(*args).items()))
            os.write(writer, answer.encode())
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as answer:
        pairs = json.loads(answer.read() or "[]")
    os.waitpid(child, 0)
    if not pairs:
        raise SystemExit(f"the runs as uid {uid} failed")
    return {tuple(key) if isinstance(key, list) else key: value
            for key, value in pairs}


def interleave(subjects: dict, runs: int) -> dict:
    """Run every subject runs times, in a shuffled order each round; return times."""
    order = list(subjects)
    times = {key: [] for key in order}
    rng = random.Random(0)
    for _ in range(runs):
        rng.shuffle(order)
        for key in order:
            times[key].append(wall_time(subjects[key]))
    return times


def wall_time(argv: list[str]) -> float:
    """Run argv with its output discarded; return its wall time in seconds."""
    quiet = [(os.POSIX_SPAWN_OPEN, fd, "/dev/null", os.O_WRONLY, 0) for fd in (1, 2)]
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, {"PATH": "/usr/bin:/bin"},
                         file_actions=quiet)
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return elapsed


def peak_memory(python: str, argv: list[str], runs: int = 3) -> float:
    """Return the largest peak resident memory of argv over a few runs, in MB."""
    peaks = []
    for _ in range(runs):
        done = subprocess.run([python, "-I", "-S", "-c", PEAK, *argv],
                              capture_output=True, text=True, check=True)
        peaks.append(int(done.stdout) / 1024)
    return max(peaks)


def rkt_run_rows(times: dict, peaks: dict, hits: dict) -> list[list[str]]:
    """Return rkt-run's rows: wall times and ratios, then peak memory."""
    bare = statistics.median(times["bare"])
    rows = [["bare interpreter, empty program (the baseline)",
             *[milliseconds(bare)] * 3, "—", "—"]]
    ratios = {size: statistics.median(times["dry", size]) / bare for size in SIZES}
    cells = [f"{milliseconds(ratios[size] * bare)} = {ratios[size]:.2f}× "
             f"({hits[size]})" for size in SIZES]
    met = all(ratios[size] <= DRY_RUN_TARGETS[size] for size in SIZES)
    rows.append(["`rkt-run --dry-run ALIAS`", *cells, "≤ 1.5× · 1.5× · 2×",
                 verdict(met)])
    for key, label in (("parse", "`rkt-run --dry-run ALIAS`, no cache (parses)"),
                       ("list", "`rkt-run -l`")):
        cells = [f"{milliseconds(statistics.median(times[key, size]))} = "
                 f"{statistics.median(times[key, size]) / bare:.2f}×"
                 for size in SIZES]
        rows.append([label, *cells, "—", "—"])
    rows.append(["peak memory: bare interpreter", *[megabytes(peaks["bare"])] * 3,
                 "—", "—"])
    dry = [peaks["dry", size] for size in SIZES]
    rows.append(["peak memory: `rkt-run --dry-run ALIAS`", *map(megabytes, dry),
                 f"≤ {MEMORY_TARGET_MB} MB", verdict(max(dry) <= MEMORY_TARGET_MB)])
    for key, label in (("parse", "peak memory: the same, no cache (parses)"),
                       ("list", "peak memory: `rkt-run -l`")):
        found = [peaks[key, size] for size in SIZES]
        rows.append([label, *map(megabytes, found), f"≤ {MEMORY_TARGET_MB} MB",
                     verdict(max(found) <= MEMORY_TARGET_MB)])
    return rows


def tui_rows(config: Path) -> list[list[str]]:
    """Return rkt-tui's rows at 10,000 aliases: first frame, filter keystrokes."""
    frame_label = "rkt-tui: first interactive frame (headless)"
    move_label = "rkt-tui: a cursor move on the list (the baseline), median · p95"
    key_label = (f'rkt-tui: each keystroke of the filter "{FILTER}" until drawn, '
                 "median · p95")
    frame_target = f"≤ {FRAME_TARGET_S} s"
    key_target = f"p95 ≤ {KEYSTROKE_TARGET_MS} ms"
    try:
        frame, keystrokes, moves = measure_tui(config)
    except Unavailable as reason:
        missing = f"not available: {reason}"
        return [[frame_label, "", "", missing, frame_target, "—"],
                [key_label, "", "", missing, key_target, "—"]]
    move_median = statistics.median(moves) * 1000
    median = statistics.median(keystrokes) * 1000
    p95 = percentile(keystrokes, 95) * 1000
    ratio = median / move_median
    return [[frame_label, "", "", f"{frame:.2f} s", frame_target,
             verdict(frame <= FRAME_TARGET_S)],
            [move_label, "", "",
             f"{move_median:.1f} · {percentile(moves, 95) * 1000:.1f} ms", "—", "—"],
            [key_label, "", "", f"{median:.1f} · {p95:.1f} ms "
             f"(median {ratio:.1f}× the cursor move)", key_target,
             verdict(p95 <= KEYSTROKE_TARGET_MS)]]


def measure_tui(config: Path, rounds: int = 20) -> tuple[float, list, list]:
    """Start rkt-tui headless; time its first frame and each filter keystroke."""
    try:
        import rkttui.app  # noqa: F401
    except ImportError as error:
        raise Unavailable(f"rkt-tui cannot be imported ({error})") from None
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", TUI, str(config), FILTER,
                              str(rounds)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd="/")
    ready = child.stdout.readline()
    frame = time.perf_counter() - start
    timings = child.stdout.readline()
    _, problem = child.communicate(timeout=600)
    if ready.strip() != "ready" or not timings.strip():
        last = (problem.strip().splitlines() or ["no output"])[-1]
        raise Unavailable(f"rkt-tui did not start headless ({last})")
    keystrokes, moves = json.loads(timings)
    return frame, keystrokes, moves


def percentile(values: list[float], percent: int) -> float:
    """Return the nearest-rank percentile of values."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[rank - 1]


def podman_rows(bench: Bench) -> list[list[str]]:
    """Return the rows of real runs: rkt-run ÷ podman run, and rkt-run's own share."""
    label = "real run of `true`: rkt-run ÷ the same `podman run`"
    own_label = "real run with `/bin/true` as the runtime (rkt-run's own cost)"
    target = f"≤ {PODMAN_TARGET}×"
    try:
        own, podman, alone = measure_podman(bench)
    except Unavailable as reason:
        return [[label, f"not available: {reason}", "", "", target, "—"]]
    ratio = own / podman
    return [[label, f"{milliseconds(own)} ÷ {milliseconds(podman)} = {ratio:.2f}×",
             "", "", target, verdict(ratio <= PODMAN_TARGET)],
            [own_label, milliseconds(alone), "", "", "—", "—"]]


def measure_podman(bench: Bench, runs: int = 20) -> tuple[float, float, float]:
    """Time true in the test image through rkt-run and through podman itself.

    Also time rkt-run with /bin/true in podman's place: what rkt-run itself
    adds to any run.
    """
    if os.geteuid() != 0:
        raise Unavailable("needs root")
    if not os.path.exists("/usr/bin/podman"):
        raise Unavailable("podman is not installed")
    if subprocess.run(["/usr/bin/podman", "image", "exists", PODMAN_IMAGE]).returncode:
        raise Unavailable(f"no {PODMAN_IMAGE}; run .ci/setup-podman")
    config = podman_config(bench, "podman.toml", "/usr/bin/podman")
    alone = podman_config(bench, "alone.toml", "/bin/true")
    time.sleep(2.1)  # old enough to be cached, as a site's config is
    subjects = {"own": podman_rkt_run(bench, config),
                "podman": direct_podman(bench, config),
                "alone": podman_rkt_run(bench, alone)}
    for argv in [*subjects.values()] * 2:  # warm up
        if subprocess.run(argv, capture_output=True).returncode != 0:
            raise Unavailable(f"{argv[0]} could not run true in the container")
    times = interleave(subjects, runs)
    return tuple(statistics.median(times[key]) for key in subjects)


def podman_config(bench: Bench, name: str, podman: str) -> Path:
    """Write a podman site config whose alias true_ runs /bin/true."""
    config = bench.workdir / name
    config.write_text(PODMAN_SITE.format(podman=podman, image=PODMAN_IMAGE,
                                         audit=bench.workdir / "audit.log"))
    config.chmod(0o644)
    return config


def podman_rkt_run(bench: Bench, config: Path) -> list[str]:
    """Return rkt-run's command for true: the setuid launcher where installed."""
    if bench.installed:
        return [str(bench.installed / "bin" / "rkt-run"), "--config", str(config),
                "true_"]
    return [bench.python, "-I", "-S", str(bench.entry), "--config", str(config),
            "true_"]


def direct_podman(bench: Bench, config: Path) -> list[str]:
    """Return the podman command rkt-run plans, with a real empty env file."""
    done = subprocess.run([*podman_rkt_run(bench, config)[:-1], "--json", "true_"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise Unavailable(f"rkt-run cannot plan it: {done.stderr.strip()}")
    argv = json.loads(done.stdout)["argv"]
    empty = bench.workdir / "empty.env"
    empty.write_text("")
    return [str(empty) if word.startswith("/proc/self/fd/") else word
            for word in argv]


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def megabytes(value: float) -> str:
    return f"{value:.1f} MB"


def verdict(met: bool) -> str:
    return "pass" if met else "FAIL"


def table(rows: list[list[str]]) -> str:
    """Return rows as a Markdown table under the column headings."""
    heads = ["measure", "1 alias", "300 aliases", "10,000 aliases", "target",
             "result"]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine(bench: Bench) -> str:
    """Describe where and how the figures were measured."""
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.partition(":")[2].strip()
            break
    python = subprocess.run([bench.python, "-V"], capture_output=True,
                            text=True).stdout.strip()
    how = ("installed with rkt-run-admin" if bench.installed else
           f"run from the checkout ({bench.install_problem})")
    user = "root" if os.geteuid() == 0 else "a user"
    return (f"{len(os.sched_getaffinity(0))} CPUs ({model}), Linux "
            f"{platform.release()}, {python}; rkt-run {how}; the first rows "
            f"by uid {USER_UID} through the launcher, the others started as "
            f"`{bench.python} -I -S -B ENTRY` by {user}; medians of "
            f"{bench.runs} interleaved runs.")


if __name__ == "__main__":
    main()
