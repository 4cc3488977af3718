"""The config cache: exactly as trustworthy as the config, or not used at all.

Each test that shows the cache being ignored first shows the same cache file
being used when nothing is wrong, so that it could fail.
"""

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import ROOT, require_root
from rktcore import cache
from rktcore import config as configuration

CONFIG = """\
rkt = "/usr/bin/rkt"
[options.common]
run = ["--net=host"]
[volume.home]
volume = "kind=host,source={{.HomeDir}}"
[alias.bwa_]
image = "quay.io/biocontainers/bwa:0.7.15--0"
exec = ["bwa", "/usr/local/bin/bwa-mem2"]
[alias.samtools_]
image = "quay.io/biocontainers/samtools:1.9--h91753b0_8"
exec = ["samtools"]
description = "Reading and writing SAM, BAM and CRAM"
"""
REAL = "quay.io/biocontainers/bwa:0.7.15--0"
FORGED = "quay.io/biocontainerz/bwa:0.7.15--0"  # the same length

# rkt-run in a child process, with the cache in a test directory. Arguments:
# cache directory, settle time in ns, the site config, caller uid ("" for the
# current user), then rkt-run's own. A caller uid starts the run as the
# setuid launcher does: real ids the caller's, effective and saved uid root.
RUN = """\
import os, sys
from rktcore import cache, config
cache.DIRECTORY, cache.SETTLE_NS = sys.argv[1], int(sys.argv[2])
config.DEFAULT_PATH = sys.argv[3]
if sys.argv[4]:
    uid = int(sys.argv[4])
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, 0, 0)
from rktcore.cli import main
status = main(sys.argv[5:])
sys.stderr.write("parsed\\n" if "tomli" in sys.modules else "cached\\n")
sys.exit(status)
"""


class Run:
    """A finished rkt-run: its exit status, the image it planned, parsed or cached."""

    def __init__(self, done: subprocess.CompletedProcess):
        assert done.returncode == 0, done.stderr
        self.stdout = done.stdout
        self.source = done.stderr.splitlines()[-1]

    @property
    def image(self) -> str:
        return json.loads(self.stdout)["image"]


def rkt_run(cache_dir, *args, settle_ns=0, site="", caller_uid=None,
            code=None) -> Run:
    """Run rkt-run in a child process, with the cache in cache_dir."""
    return Run(subprocess.run(
        run_argv(cache_dir, *args, settle_ns=settle_ns, site=site,
                 caller_uid=caller_uid, code=code),
        capture_output=True, text=True, cwd="/"))


def run_argv(cache_dir, *args, settle_ns=0, site="", caller_uid=None, code=None):
    """Return the command line of rkt_run."""
    prefix = f"import sys; sys.path.insert(0, {str(code)!r})\n" if code else ""
    caller = "" if caller_uid is None else str(caller_uid)
    return [sys.executable, "-I", "-c", prefix + RUN, str(cache_dir),
            str(settle_ns), site or configuration.DEFAULT_PATH, caller, *args]


def plan(cache_dir, config, name="bwa", **kwargs) -> Run:
    """Return the dry run of name as JSON, through rkt-run."""
    return rkt_run(cache_dir, "--config", config, "--json", name, **kwargs)


@pytest.fixture
def cache_dir(shared_dir, monkeypatch):
    """A cache directory only root may use, also used by this process's cache."""
    require_root()
    (shared_dir / "var").mkdir(mode=0o755)
    path = shared_dir / "var" / "cache"
    path.mkdir(mode=0o700)
    monkeypatch.setattr(cache, "DIRECTORY", str(path))
    monkeypatch.setattr(cache, "SETTLE_NS", 0)
    return path


@pytest.fixture
def site(write_config):
    """A root-owned config that the cache may serve."""
    return write_config(CONFIG)


def only_entry(cache_dir):
    entries = os.listdir(cache_dir)
    assert len(entries) == 1, entries
    return cache_dir / entries[0]


def forge(config_path: str) -> None:
    """Store, under config_path's current stamp, a config naming another image."""
    forged = configuration.parse(config_path, CONFIG.replace(REAL, FORGED).encode())
    stamp = cache.stamp_of(config_path, os.stat(config_path))
    cache.write(config_path, stamp, forged)


def forged_cache(cache_dir, config_path: str):
    """Forge a cache entry and show that, root's alone, it is what a run uses."""
    forge(config_path)
    assert plan(cache_dir, config_path).image == FORGED
    return only_entry(cache_dir)


# What the cache holds and when


def test_a_run_as_root_stores_the_config_in_a_file_only_root_may_use(cache_dir, site):
    assert plan(cache_dir, site).source == "parsed"
    entry = only_entry(cache_dir)
    info = entry.stat()
    assert (info.st_uid, info.st_mode & 0o7777) == (0, 0o600)
    assert entry.name == site.replace("/", "%2F")


def test_the_next_run_plans_from_the_cache_without_the_toml_parser(cache_dir, site):
    first = plan(cache_dir, site)
    second = plan(cache_dir, site)
    assert (first.source, second.source) == ("parsed", "cached")
    assert second.stdout == first.stdout


@pytest.mark.parametrize("args", [
    ["--json", "bwa_"],
    ["--json", "bwa"],
    ["--json", "bwa-mem2"],
    ["--json", "-e", "samtools", "samtools_"],
    ["--json", "quay.io/other/image:1"],
    ["--json", "biocontainers/x:1"],
    ["-l"],
])
def test_a_cached_run_prints_what_a_parsing_run_prints(cache_dir, site, args):
    parsed = rkt_run(cache_dir, "--config", site, *args)
    cached = rkt_run(cache_dir, "--config", site, *args)
    assert (parsed.source, cached.source) == ("parsed", "cached")
    assert cached.stdout == parsed.stdout


def test_every_name_of_a_large_catalogue_is_found_in_the_cache(cache_dir, write_config):
    tables = [f'[alias.tool{i}_]\nimage = "quay.io/biocontainers/tool{i}:1"\n'
              f'exec = ["tool{i}", "/opt/bin/tool{i}-x"]\n' for i in range(300)]
    path = write_config(CONFIG + "\n".join(tables))
    parsed = configuration.load(path)
    cache.load(path)
    for name, entry in parsed.aliases.items():
        cached = cache.load(path, name)
        assert cached.aliases == {name: entry}
        assert cached.doc["alias"] == {entry[0]: parsed.doc["alias"][entry[0]]}
    assert cache.load(path, "absent").aliases == {}


def test_the_whole_cached_config_equals_the_parsed_one_in_order(cache_dir, site):
    parsed = configuration.load(site)
    cache.load(site)
    cached = cache.load(site)
    assert list(cached.aliases.items()) == list(parsed.aliases.items())
    assert list(cached.doc["alias"]) == list(parsed.doc["alias"])
    assert cached.doc == parsed.doc


def test_a_caller_under_the_launcher_uses_the_cache_as_root(cache_dir, site,
                                                             make_user):
    user = make_user()
    args = ["--json", "bwa"]
    first = rkt_run(cache_dir, *args, site=site, caller_uid=user.uid)
    second = rkt_run(cache_dir, *args, site=site, caller_uid=user.uid)
    assert (first.source, second.source) == ("parsed", "cached")
    assert second.stdout == first.stdout
    info = only_entry(cache_dir).stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (0, 0, 0o600)


def test_a_config_changed_moments_ago_is_used_but_not_cached(cache_dir, site):
    assert plan(cache_dir, site, settle_ns=60 * 10**9).source == "parsed"
    assert os.listdir(cache_dir) == []
    assert plan(cache_dir, site).source == "parsed"
    assert plan(cache_dir, site).source == "cached"


def test_a_write_leaves_no_temporary_file_behind(cache_dir, site):
    for _ in range(3):
        plan(cache_dir, site)
        cache.write(site, cache.stamp_of(site, os.stat(site)), configuration.load(site))
    only_entry(cache_dir)


def test_the_entry_of_a_removed_config_goes_when_another_is_written(
        cache_dir, site, write_config):
    plan(cache_dir, site)
    os.unlink(site)
    (cache_dir / ".new-1-temporary").write_bytes(b"")
    other = write_config(CONFIG, "other%2F.toml")
    plan(cache_dir, other)
    assert set(os.listdir(cache_dir)) == {".new-1-temporary",
                                          cache.entry_name(other)}


def test_a_write_killed_midway_is_swept_away_by_a_later_one(
        cache_dir, site, write_config):
    killed = cache_dir / ".new-1-killed"
    killed.write_bytes(b"half a cache file")
    an_hour_ago = time.time() - 3600
    os.utime(killed, (an_hour_ago, an_hour_ago))
    under_way = cache_dir / ".new-2-under-way"
    under_way.write_bytes(b"")
    plan(cache_dir, site)
    assert set(os.listdir(cache_dir)) == {under_way.name, cache.entry_name(site)}


# A changed config takes effect on the next run


def rewrite_in_place(path: str, old: str, new: str, keep_mtime: bool = False) -> None:
    """Change path's content in place (same inode), at the same size."""
    assert len(old) == len(new)
    before = os.stat(path)
    with open(path, "r+") as file:
        text = file.read()
        file.seek(0)
        file.write(text.replace(old, new))
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)


def test_a_config_edited_in_place_at_the_same_size_takes_effect(cache_dir, site):
    plan(cache_dir, site)
    assert plan(cache_dir, site).source == "cached"
    rewrite_in_place(site, "0.7.15", "0.7.17")
    assert plan(cache_dir, site).image == REAL.replace("0.7.15", "0.7.17")


def test_an_edit_that_restores_the_modification_time_takes_effect(cache_dir, site):
    plan(cache_dir, site)
    rewrite_in_place(site, "0.7.15", "0.7.17", keep_mtime=True)
    assert plan(cache_dir, site).image == REAL.replace("0.7.15", "0.7.17")


def test_a_replaced_config_takes_effect(cache_dir, site):
    plan(cache_dir, site)
    before = os.stat(site)
    replacement = site + ".new"
    with open(replacement, "w") as file:
        file.write(CONFIG.replace("0.7.15", "0.7.17"))
    os.chmod(replacement, 0o644)
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.rename(replacement, site)
    assert plan(cache_dir, site).image == REAL.replace("0.7.15", "0.7.17")


def test_an_invalid_config_is_refused_even_with_a_cache(cache_dir, site):
    plan(cache_dir, site)
    rewrite_in_place(site, 'image = "quay', 'imagx = "quay')
    argv = run_argv(cache_dir, "--config", site, "--dry-run", "bwa")
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 78
    assert "alias.bwa_.imagx is not a known key" in done.stderr


@pytest.mark.parametrize("path, problem", [
    ("/proc/self/mem", "cannot read config /proc/self/mem: input/output error"),
    ("/", "cannot read config /: is a directory"),
    ("/nonexistent.toml", "config /nonexistent.toml does not exist"),
])
def test_a_config_root_cannot_read_is_refused_in_one_line(cache_dir, path, problem):
    done = subprocess.run(run_argv(cache_dir, "--config", path, "--dry-run", "x"),
                          capture_output=True, text=True)
    assert done.returncode == 78
    assert done.stderr.startswith(f"rkt-run: {problem}")
    assert "Traceback" not in done.stderr


# The cache is ignored, never trusted, when anything does not match


def test_a_cache_written_by_another_version_is_ignored(cache_dir, site, monkeypatch):
    forged_cache(cache_dir, site)
    import rktcore

    monkeypatch.setattr(rktcore, "__version__", rktcore.__version__ + ".1")
    forge(site)
    monkeypatch.undo()
    assert plan(cache_dir, site).image == REAL


def test_a_cache_written_by_other_code_files_is_ignored(cache_dir, site, tmp_path):
    forged_cache(cache_dir, site)
    shutil.copytree(ROOT / "core" / "rktcore", tmp_path / "rktcore",
                    ignore=shutil.ignore_patterns("__pycache__"))
    assert plan(cache_dir, site, code=tmp_path).image == REAL


def test_a_cache_file_owned_by_a_user_is_ignored(cache_dir, site, make_user):
    entry = forged_cache(cache_dir, site)
    user = make_user()
    os.chown(entry, user.uid, user.gid)
    assert plan(cache_dir, site).image == REAL


def test_a_cache_file_edited_by_a_user_is_ignored(cache_dir, site, make_user):
    plan(cache_dir, site)
    entry = only_entry(cache_dir)
    user = make_user()
    cache_dir.chmod(0o711)
    entry.chmod(0o606)
    edit = ("import sys; p = sys.argv[1]; b = open(p, 'rb').read(); "
            f"open(p, 'wb').write(b.replace(b'{REAL}', b'{FORGED}'))")
    done = user.run([sys.executable, "-I", "-S", "-c", edit, str(entry)])
    assert done.returncode == 0, done.stderr
    assert FORGED.encode() in entry.read_bytes()
    cache_dir.chmod(0o700)
    entry.chmod(0o600)
    assert plan(cache_dir, site).image == REAL


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o660, 0o606, 0o400])
def test_a_cache_file_with_another_mode_is_ignored(cache_dir, site, mode):
    entry = forged_cache(cache_dir, site)
    entry.chmod(mode)
    assert plan(cache_dir, site).image == REAL


def test_a_link_in_place_of_a_cache_file_is_ignored(cache_dir, site):
    entry = forged_cache(cache_dir, site)
    target = cache_dir / "elsewhere"
    entry.rename(target)
    entry.symlink_to(target)
    assert plan(cache_dir, site).image == REAL


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o711, 0o770, 0o777])
def test_a_cache_directory_with_another_mode_is_ignored(cache_dir, site, mode):
    forged_cache(cache_dir, site)
    cache_dir.chmod(mode)
    assert plan(cache_dir, site).image == REAL


def test_a_cache_directory_owned_by_a_user_is_ignored(cache_dir, site, make_user):
    forged_cache(cache_dir, site)
    user = make_user()
    os.chown(cache_dir, user.uid, user.gid)
    assert plan(cache_dir, site).image == REAL


def test_a_cache_directory_under_a_directory_others_may_write_is_ignored(
        cache_dir, site):
    forged_cache(cache_dir, site)
    cache_dir.parent.chmod(0o777)
    assert plan(cache_dir, site).image == REAL


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_damaged_cache_file_is_ignored(cache_dir, site, damage):
    plan(cache_dir, site)
    entry = only_entry(cache_dir)
    content = entry.read_bytes()
    at = content.index(b"0.7.15")
    damaged = {
        "flip": content[:at] + b"0.7.16" + content[at + 6:],
        "truncate": content[: len(content) // 2],
        "garbage": os.urandom(len(content)),
        "empty": b"",
    }[damage]
    entry.write_bytes(damaged)
    again = plan(cache_dir, site)
    assert (again.source, again.image) == ("parsed", REAL)


# The cache serves only configs root could trust, and only privileged runs


def test_a_config_owned_by_a_user_is_never_cached(cache_dir, site, make_user):
    forged_cache(cache_dir, site)
    user = make_user()
    os.chown(site, user.uid, user.gid)
    forge(site)
    assert plan(cache_dir, site).image == REAL
    os.unlink(only_entry(cache_dir))
    plan(cache_dir, site)
    assert os.listdir(cache_dir) == []


@pytest.mark.parametrize("mode", [0o664, 0o646])
def test_a_config_others_may_write_is_never_cached(cache_dir, site, mode):
    forged_cache(cache_dir, site)
    os.chmod(site, mode)
    forge(site)
    assert plan(cache_dir, site).image == REAL


def test_a_config_in_a_directory_others_may_write_is_never_cached(cache_dir,
                                                                   shared_dir):
    directory = shared_dir / "etc"
    directory.mkdir(mode=0o755)
    path = directory / "rktrunner.toml"
    path.write_text(CONFIG)
    path.chmod(0o644)
    forged_cache(cache_dir, str(path))
    directory.chmod(0o777)
    forge(str(path))
    assert plan(cache_dir, str(path)).image == REAL


def test_a_callers_own_config_is_never_served_from_the_cache(cache_dir, site,
                                                              make_user):
    forged_cache(cache_dir, site)
    user = make_user()
    assert plan(cache_dir, site, caller_uid=user.uid).image == REAL
