"""rkt-run-admin: install, check, uninstall and sudoers, on real files as root."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, require, require_root
from setuid import admin, root_owned_directory

CONFIG = """\
rkt = "{rkt}"
[alias.tool]
image = "example.org/tool:1"
"""


@pytest.fixture
def prefix():
    """An empty prefix, root's, 0755, removed afterwards."""
    require_root()
    require(shutil.which("cc") is not None, "needs a C compiler (gcc)")
    path = root_owned_directory(prefix="rkttui-admin-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def config(prefix, standin):
    """A valid site config, root's, 0644, naming the stand-in runtime."""
    path = prefix / "rktrunner.toml"
    path.write_text(CONFIG.format(rkt=standin.path))
    path.chmod(0o644)
    return path


def install(prefix, config, *more):
    done = admin("install", "--prefix", prefix, "--config", config, *more)
    assert done.returncode == 0, done.stderr
    return done


def everything_under(path: Path) -> dict[str, tuple[int, int]]:
    """Return every path under path with its owner and mode."""
    found = {}
    for folder, folders, files in os.walk(path):
        for name in folders + files:
            info = os.lstat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), path)] = (
                info.st_uid, stat.S_IMODE(info.st_mode))
    return found


def test_install_makes_one_setuid_root_launcher(prefix, config):
    install(prefix, config)
    launcher = os.lstat(prefix / "bin" / "rkt-run")
    assert launcher.st_uid == 0 and stat.S_IMODE(launcher.st_mode) == 0o4755
    setuid = [path for path, (_, mode) in everything_under(prefix).items()
              if mode & (stat.S_ISUID | stat.S_ISGID)]
    assert setuid == ["bin/rkt-run"]


def test_a_site_that_uses_sudo_gets_no_setuid_file(prefix, config):
    install(prefix, config, "--no-setuid")
    launcher = os.lstat(prefix / "bin" / "rkt-run")
    assert stat.S_IMODE(launcher.st_mode) == 0o755
    done = admin("check", "--prefix", prefix)
    assert done.returncode == 0, done.stderr


def test_everything_installed_is_roots_and_readable_but_not_writable_by_others(
        prefix, config):
    install(prefix, config)
    library = everything_under(prefix / "lib")
    assert library
    for path, (owner, mode) in library.items():
        assert owner == 0, path
        assert not mode & 0o022, path
        assert mode & 0o004, path


def test_install_brings_the_core_and_tomli_and_bakes_in_the_site_config(
        prefix, config):
    install(prefix, config)
    library = prefix / "lib" / "rkttui"
    assert (library / "rktcore" / "cli.py").is_file()
    assert list((library / "tomli").glob("*.py"))
    entry = (library / "rkt-run.py").read_text()
    assert f"SITE_CONFIG = {str(config)!r}" in entry


def test_check_passes_a_sound_installation(prefix, config):
    install(prefix, config)
    done = admin("check", "--prefix", prefix)
    assert done.returncode == 0, done.stderr
    assert "installed OK" in done.stdout


def test_check_reports_every_problem_at_once(prefix, config, make_user):
    user = make_user()
    install(prefix, config)
    launcher = prefix / "bin" / "rkt-run"
    launcher.chmod(0o755)
    module = prefix / "lib" / "rkttui" / "rktcore" / "plan.py"
    module.chmod(0o666)
    os.chown(config, user.uid, user.gid)
    done = admin("check", "--prefix", prefix)
    assert done.returncode == 1
    assert f"{launcher} has mode 0755, not 4755 as installed" in done.stderr
    assert f"{module} (installed file) is writable by others" in done.stderr
    assert f"{config} (config) is owned by uid {user.uid}" in done.stderr
    assert "3 problem(s)" in done.stderr


def test_check_reports_config_errors_with_the_installed_core(prefix, config):
    install(prefix, config)
    config.write_text("colour = true\n" + config.read_text())
    done = admin("check", "--prefix", prefix)
    assert done.returncode == 1
    assert f"{config}: colour is not a known key" in done.stderr


def test_check_reports_a_missing_runtime_and_an_unsafe_audit_directory(
        prefix, config, shared_dir):
    install(prefix, config)
    loose = shared_dir / "loose"
    loose.mkdir(mode=0o777)
    loose.chmod(0o777)
    config.write_text(f'rkt = "{shared_dir}/no-rkt"\naudit-log = "{loose}/audit"\n')
    done = admin("check", "--prefix", prefix)
    assert done.returncode == 1
    assert (f"{shared_dir}/no-rkt (runtime) does not exist; install it or correct "
            "the config") in done.stderr
    assert f"{loose} (audit log) is writable by others" in done.stderr


def test_check_of_a_prefix_without_an_installation_says_so(prefix):
    done = admin("check", "--prefix", prefix)
    assert done.returncode == 1
    assert f"no installation under {prefix}" in done.stderr


def test_install_refuses_a_prefix_a_group_could_change(prefix, config):
    prefix.chmod(0o775)
    done = admin("install", "--prefix", prefix, "--config", config)
    assert done.returncode != 0
    assert f"{prefix} (prefix) is writable by group 0" in done.stderr
    assert everything_under(prefix) == {"rktrunner.toml": (0, 0o644)}


def test_install_refuses_a_config_a_user_could_change(prefix, config, make_user):
    user = make_user()
    os.chown(config, user.uid, user.gid)
    done = admin("install", "--prefix", prefix, "--config", config)
    assert done.returncode != 0
    assert f"{config} (config) is owned by uid {user.uid}" in done.stderr
    assert not (prefix / "bin").exists()


def test_install_refuses_an_interpreter_other_users_cannot_run(prefix, config):
    private = root_owned_directory(prefix="rkttui-private-")
    try:
        private.chmod(0o700)
        python = private / "python3.11"
        shutil.copy2("/usr/bin/python3.11", python)
        core = str(Path(__file__).resolve().parent.parent / "core")
        packages = [path for path in sys.path if path.endswith("site-packages")]
        env = {"PYTHONPATH": os.pathsep.join([core, *packages])}
        done = subprocess.run(
            [str(python), "-m", "rktcore.admin", "install", "--prefix", str(prefix),
             "--config", str(config)], capture_output=True, text=True, env=env)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    assert done.returncode != 0
    assert f"{private} (interpreter) is not reachable by other users" in done.stderr
    assert not (prefix / "bin").exists()


def install_with(python: Path, core: Path, prefix, config):
    """Run rkt-run-admin install with another interpreter or copy of the core."""
    packages = [path for path in sys.path if path.endswith("site-packages")]
    env = {"PYTHONPATH": os.pathsep.join([str(core), *packages])}
    return subprocess.run(
        [str(python), "-m", "rktcore.admin", "install", "--prefix", str(prefix),
         "--config", str(config)], capture_output=True, text=True, env=env)


def test_install_refuses_an_interpreter_a_group_could_replace(prefix, config):
    shared = root_owned_directory(prefix="rkttui-shared-python-")
    try:
        shared.chmod(0o775)
        python = shared / "python3.11"
        shutil.copy2("/usr/bin/python3.11", python)
        done = install_with(python, ROOT / "core", prefix, config)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
    assert done.returncode != 0
    assert f"{shared} (interpreter) is writable by group 0" in done.stderr
    assert not (prefix / "bin").exists()


def test_install_refuses_core_files_a_group_could_change(prefix, config):
    copy = root_owned_directory(prefix="rkttui-core-copy-")
    try:
        shutil.copytree(ROOT / "core" / "rktcore", copy / "rktcore",
                        ignore=shutil.ignore_patterns("__pycache__"))
        module = copy / "rktcore" / "plan.py"
        module.chmod(0o664)
        done = install_with(Path("/usr/bin/python3.11"), copy, prefix, config)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    assert done.returncode != 0
    assert f"{module} (package) is writable by group 0" in done.stderr
    assert not (prefix / "bin").exists()


def test_a_failed_install_leaves_nothing_behind(prefix, config):
    done = admin("install", "--prefix", prefix, "--config", config,
                 "--cc", "/bin/false")
    assert done.returncode != 0
    assert "could not build the launcher" in done.stderr
    assert "nothing was changed" in done.stderr
    assert everything_under(prefix) == {"rktrunner.toml": (0, 0o644)}


def test_a_failed_reinstall_leaves_the_old_installation_as_it_was(prefix, config):
    install(prefix, config)
    before = everything_under(prefix)
    done = admin("install", "--prefix", prefix, "--config", config,
                 "--cc", "/bin/false")
    assert done.returncode != 0
    assert everything_under(prefix) == before


def test_reinstalling_replaces_the_installation_in_place(prefix, config):
    install(prefix, config)
    before = everything_under(prefix)
    install(prefix, config)
    assert everything_under(prefix) == before
    assert admin("check", "--prefix", prefix).returncode == 0


def test_uninstall_removes_what_install_put_there(prefix, config):
    install(prefix, config)
    done = admin("uninstall", "--prefix", prefix)
    assert done.returncode == 0, done.stderr
    assert not (prefix / "bin" / "rkt-run").exists()
    assert not (prefix / "lib" / "rkttui").exists()
    assert config.exists()


def test_uninstall_leaves_a_foreign_rkt_run_alone(prefix):
    (prefix / "bin").mkdir()
    foreign = prefix / "bin" / "rkt-run"
    foreign.write_text("#!/bin/sh\n")
    done = admin("uninstall", "--prefix", prefix)
    assert done.returncode != 0
    assert "was not installed by rkt-run-admin" in done.stderr
    assert foreign.exists()


def test_sudoers_prints_a_rule_for_the_installed_rkt_run(prefix):
    done = admin("sudoers", "--prefix", prefix)
    assert done.returncode == 0
    rules = [line for line in done.stdout.splitlines()
             if line and not line.startswith("#")]
    assert rules == [f"Defaults!{prefix}/bin/rkt-run env_reset, !setenv",
                     f"ALL ALL=(root) NOPASSWD: {prefix}/bin/rkt-run"]


def test_rkttui_installed_from_its_package_not_its_tree_installs_rkt_run(
        prefix, config):
    # As README tells admins: a venv of the system Python, pip install, then
    # install. The package must carry the launcher's source with it.
    venv = prefix / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", venv], check=True)
    done = subprocess.run([venv / "bin" / "pip", "install", "-q", "--no-deps",
                           "--disable-pip-version-check", ROOT, "tomli"],
                          capture_output=True, text=True)
    require(done.returncode == 0, f"pip cannot install here: {done.stderr[-300:]}")
    assert not str(venv / "bin" / "rkt-run-admin").startswith(str(ROOT))
    done = subprocess.run([venv / "bin" / "rkt-run-admin", "install", "--prefix",
                           prefix / "usr", "--config", config],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    launcher = prefix / "usr" / "bin" / "rkt-run"
    assert stat.S_IMODE(launcher.stat().st_mode) == 0o4755
    version = subprocess.run([launcher, "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("rkt-run ")
