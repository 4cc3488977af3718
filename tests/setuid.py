"""A real setuid installation of rkt-run for tests, and ways to run it as users.

One installation serves a whole test module: rkt-run-admin installs it under
a fresh root-owned prefix in /tmp, with its site config at PREFIX/etc, a path
baked in at install time, so that ordinary users run exactly what a site's
users would run, with no --config.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from conftest import require, require_root

ADMIN = [sys.executable, "-m", "rktcore.admin"]


class Installation:
    """rkt-run installed setuid root under a prefix, with its site config and log."""

    def __init__(self, prefix: Path):
        self.prefix = prefix
        self.launcher = prefix / "bin" / "rkt-run"
        self.entry = prefix / "lib" / "rkttui" / "rkt-run.py"
        self.config = prefix / "etc" / "rktrunner.toml"
        self.audit_log = prefix / "log" / "audit.log"

    def configure(self, text: str) -> None:
        """Make text the site config (root's, 0644) and start a fresh audit log."""
        self.config.write_text(text)
        self.config.chmod(0o644)
        if self.audit_log.exists():
            self.audit_log.unlink()

    def audit_lines(self) -> list[str]:
        if not self.audit_log.exists():
            return []
        return self.audit_log.read_text().splitlines()

    def run_as(self, user, *args, env=None, **kwargs):
        """Run the installed rkt-run as user, from their home, in their environment."""
        kwargs.setdefault("cwd", user.home)
        environment = user_environment(user) if env is None else env
        return run_exactly(user, [str(self.launcher), *args], environment, **kwargs)


# setpriv and any other program between root and the command would read a
# hostile environment too (LD_PRELOAD in setpriv runs as root); so a clean,
# isolated Python gives the environment to the command alone, at its exec.
# Each variable is a word of its own: one word may not exceed 128 KiB.
EXEC_WITH_ENVIRONMENT = (
    "import os, sys; n = int(sys.argv[1]); "
    "env = dict(word.split('=', 1) for word in sys.argv[2:2 + n]); "
    "os.execve(sys.argv[2 + n], sys.argv[2 + n:], env)")


def run_exactly(user, argv, env: dict, **kwargs):
    """Run argv as user with exactly env, which no program before it sees."""
    return user.run(with_exactly(env, argv), env={}, **kwargs)


def with_exactly(env: dict, argv) -> list[str]:
    """Return a command that runs argv with exactly env."""
    variables = [f"{name}={value}" for name, value in env.items()]
    return ["/usr/bin/python3", "-I", "-S", "-c", EXEC_WITH_ENVIRONMENT,
            str(len(variables)), *variables, *map(str, argv)]


def start_as(user, argv, env: dict, **kwargs) -> subprocess.Popen:
    """Start argv as user with exactly env; return the running process."""
    wrapper = ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}",
               "--init-groups", "--"]
    return subprocess.Popen([*wrapper, *with_exactly(env, argv)], env={}, **kwargs)


def user_environment(user) -> dict[str, str]:
    """Return the environment a login shell would give user."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(user.home),
            "USER": user.name, "LOGNAME": user.name, "LANG": "C.UTF-8"}


def admin(*args) -> subprocess.CompletedProcess:
    """Run rkt-run-admin as root."""
    return subprocess.run([*ADMIN, *map(str, args)], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)


def root_owned_directory(parent: str = "/tmp", prefix: str = "rkttui-") -> Path:
    """Make a directory that root owns and every user may enter."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o755)
    return path


def installed():
    """Install rkt-run under a fresh prefix; yield the Installation; remove it."""
    require_root()
    require(shutil.which("cc") is not None, "needs a C compiler (gcc)")
    prefix = root_owned_directory(prefix="rkttui-install-")
    for name in ("etc", "log"):
        (prefix / name).mkdir(mode=0o755)
    installation = Installation(prefix)
    done = admin("install", "--prefix", prefix, "--config", installation.config)
    assert done.returncode == 0, done.stderr
    try:
        yield installation
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def sample_config(standin, installation, extra: str = "", top: str = "") -> str:
    """Return the sample site config with the stand-in runtime and an audit file."""
    sample = (Path(__file__).resolve().parent.parent / "core" / "rktcore"
              / "samples" / "rktrunner.toml").read_text()
    sample = sample.replace('rkt = "/usr/bin/rkt"',
                            f'rkt = "{standin.path}"\n'
                            f'audit-log = "{installation.audit_log}"\n{top}')
    return sample + extra


def one_line(done) -> str:
    """Assert done failed with exactly one rkt-run line and no traceback; return it."""
    assert done.returncode != 0, done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("rkt-run: "), done.stderr
    return lines[0]
