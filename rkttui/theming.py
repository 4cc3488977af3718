"""Themes: TOML files in the package's themes/ and the user's own directory."""

import tomllib
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from rkttui.settings import settings_dir

PACKAGE_THEMES = Path(__file__).parent / "themes"
DEFAULT_THEME = "rkt-night"
COLOURS = ("primary", "secondary", "warning", "error", "success", "accent",
           "foreground", "background", "surface", "panel", "boost")
FIELDS = ("name", "primary", "secondary", "warning", "error", "success", "accent",
          "foreground", "background", "surface", "panel", "boost", "dark",
          "luminosity_spread", "text_alpha", "variables")


class ThemeFileError(Exception):
    """A theme file that cannot be used; the message names the file and why."""


def theme_files() -> list[Path]:
    """Return the theme files: the package's, then the user's own."""
    found = []
    for folder in (PACKAGE_THEMES, settings_dir() / "themes"):
        if folder.is_dir():
            found += sorted(folder.glob("*.toml"))
    return found


def read_theme(path: Path) -> Theme:
    """Return the theme a file describes, or raise ThemeFileError."""
    try:
        fields = tomllib.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ThemeFileError(f"{path}: {error}") from None
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ThemeFileError(f"{path}: {unknown[0]} is not a theme field")
    if "name" not in fields or "primary" not in fields:
        raise ThemeFileError(f"{path}: a theme needs a name and a primary colour")
    for field in COLOURS:
        if field in fields:
            check_colour(path, field, fields[field])
    try:
        return Theme(**fields)
    except (TypeError, ValueError) as error:
        raise ThemeFileError(f"{path}: {error}") from None


def check_colour(path: Path, field: str, value) -> None:
    """Refuse a colour Textual cannot parse, before it could break a redraw."""
    try:
        Color.parse(value)
    except (ColorParseError, TypeError):
        raise ThemeFileError(f"{path}: {field} {value!r} is not a colour") from None


def load_themes() -> tuple[list[Theme], list[str]]:
    """Return the usable themes, and one line for each file that is not."""
    themes, problems = [], []
    for path in theme_files():
        try:
            themes.append(read_theme(path))
        except ThemeFileError as problem:
            problems.append(str(problem))
    return themes, problems
