"""What rkt-tui works within: the site's config, the caller, and pulled images.

rkt-tui never holds privilege. It reads the config as the caller, plans with
the same function rkt-run uses, and asks rkt-run itself for the pulled images.
"""

import json
import os
import subprocess
from importlib import resources
from pathlib import Path

from rktcore import config as configuration
from rktcore import identity
from rktcore.plan import make_plan

IMAGES_TIMEOUT = 20


class Site:
    """The config, the caller and their environment, and where images come from."""

    def __init__(self, config, caller, caller_env, cwd, config_arg="",
                 demo=False, images=None):
        self.config = config
        self.caller = caller
        self.caller_env = caller_env
        self.cwd = cwd
        # The --config given on rkt-tui's command line, passed on to rkt-run.
        self.config_arg = config_arg
        self.demo = demo
        # None: ask rkt-run; a list: the images are known already (the demo).
        self.images = images

    def plan(self, request):
        """Return rkt-run's plan for request, or raise its one-line refusal."""
        return make_plan(self.config, self.caller, request, self.caller_env, self.cwd)

    @property
    def where(self) -> str:
        """Say where the config came from, for the title bar."""
        return "demo catalogue" if self.demo else self.config.path


def demo_config():
    """Return the demo config embedded in the package."""
    sample = resources.files("rktcore") / "samples" / "demo.toml"
    return configuration.parse(str(sample), sample.read_bytes())


def demo_images() -> list[dict]:
    """Return the demo's pulled images, as `rkt image list --format=json` gives."""
    sample = resources.files("rktcore") / "samples" / "demo-images.json"
    return json.loads(sample.read_text())


def open_site(config_path: str = "", demo: bool = False) -> Site:
    """Load the config as the caller and describe the site; ConfigError if broken."""
    if demo:
        config = demo_config()
    else:
        config = configuration.load(config_path or configuration.DEFAULT_PATH)
    return Site(config, identity.from_kernel(), identity.caller_environment(),
                current_directory(), config_arg=config_path, demo=demo,
                images=demo_images() if demo else None)


def current_directory() -> str:
    """Return the working directory, or the home directory if it has gone."""
    try:
        return os.getcwd()
    except OSError:
        return str(Path.home())


def pulled_images(rkt_run: str | None,
                  config_arg: str = "") -> tuple[list[dict], str]:
    """Ask rkt-run for the pulled images; return them, or [] and why not.

    A --config given to rkt-tui goes to rkt-run too: the images shown must be
    the ones that config lets run, or rkt-run says why it will not list them.
    """
    if rkt_run is None:
        return [], "rkt-run is not on your PATH"
    argv = [rkt_run, *(["--config", config_arg] if config_arg else []),
            "--list-images", "--json"]
    try:
        done = subprocess.run(argv, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=IMAGES_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        return [], f"cannot ask {rkt_run} for images: {error}"
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        return [], lines[-1].removeprefix("rkt-run: ")
    try:
        images = json.loads(done.stdout) or []
    except ValueError:
        return [], f"{rkt_run} --list-images gave no JSON"
    return [image for image in images if isinstance(image, dict)], ""
