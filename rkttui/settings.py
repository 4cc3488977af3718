"""What rkt-tui remembers between runs: the theme, in the XDG config directory."""

import json
import os
import tomllib
from pathlib import Path


def settings_dir() -> Path:
    """Return $XDG_CONFIG_HOME/rkttui, or ~/.config/rkttui."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "rkttui"


def settings_file() -> Path:
    return settings_dir() / "settings.toml"


def remembered_theme() -> str:
    """Return the theme chosen last time, or "" if none was remembered."""
    try:
        settings = tomllib.loads(settings_file().read_text())
    except (OSError, ValueError):
        return ""
    theme = settings.get("theme", "")
    return theme if isinstance(theme, str) else ""


def remember_theme(name: str) -> None:
    """Remember the theme for next time; OSError if the directory is not writable."""
    path = settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A JSON string is a valid TOML basic string.
    partial = path.with_suffix(".partial")
    partial.write_text(f"theme = {json.dumps(name)}\n")
    partial.replace(path)
