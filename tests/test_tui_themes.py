"""Themes: the files in themes/, switching them, and remembering the choice."""

import tomllib
from pathlib import Path

import pytest
from conftest import drive
from textual.color import Color

from rkttui.app import build_app, parse_arguments
from rkttui.settings import settings_file
from rkttui.theming import PACKAGE_THEMES, load_themes, read_theme

pytestmark = pytest.mark.usefixtures("own_settings")

SIZE = (120, 40)
THEMES = Path(__file__).resolve().parent.parent / "themes"


def demo_app(*arguments: str):
    return build_app(parse_arguments(["--demo", *arguments]), rkt_run=None)


def notices(app) -> list[str]:
    """Return the text of the notifications the screen shows."""
    return [" ".join(str(toast.render()).split())
            for toast in app.screen.query("Toast")]


def remembered() -> dict:
    return tomllib.loads(settings_file().read_text())


def contrast(one: str, other: str) -> float:
    """Return the WCAG contrast ratio of two colours."""
    def luminance(colour: str) -> float:
        channels = []
        for value in Color.parse(colour).rgb:
            value /= 255
            channels.append(value / 12.92 if value <= 0.03928
                            else ((value + 0.055) / 1.055) ** 2.4)
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    bright, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (bright + 0.05) / (dark + 0.05)


def test_the_package_loads_the_three_themes_in_the_repository():
    assert PACKAGE_THEMES.resolve() == THEMES
    themes, problems = load_themes()
    assert problems == []
    assert {"rkt-night", "rkt-paper", "rkt-contrast"} <= {t.name for t in themes}


def test_the_high_contrast_theme_keeps_every_text_colour_readable():
    theme = read_theme(THEMES / "rkt-contrast.toml")
    assert contrast(theme.foreground, theme.background) >= 15
    for colour in (theme.primary, theme.secondary, theme.accent, theme.warning,
                   theme.error, theme.success):
        assert contrast(colour, theme.background) >= 4.5, colour


def test_the_high_contrast_theme_uses_only_colour_blind_safe_colours():
    # Okabe and Ito's palette, with black and white: distinguishable with
    # every common colour-vision deficiency.
    safe = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
            "#D55E00", "#CC79A7", "#FFFFFF"}
    theme = read_theme(THEMES / "rkt-contrast.toml")
    for colour in (theme.primary, theme.secondary, theme.accent, theme.warning,
                   theme.error, theme.success, theme.foreground, theme.background):
        assert colour.upper() in safe, colour


@drive
async def test_theme_on_the_command_line_is_used_and_remembered():
    app = demo_app("--theme", "rkt-contrast")
    async with app.run_test(size=SIZE):
        assert app.theme == "rkt-contrast"
        assert app.current_theme.background == "#000000"
    assert remembered() == {"theme": "rkt-contrast"}

    app = demo_app()
    async with app.run_test(size=SIZE):
        assert app.theme == "rkt-contrast"


@drive
async def test_the_palette_switches_the_theme_and_remembers_it():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "rkt-night"
        await pilot.press("ctrl+p", *"theme: rkt-paper")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == "rkt-paper"
        assert app.screen.styles.background == Color.parse("#FAF8F3")
    assert remembered() == {"theme": "rkt-paper"}


@drive
async def test_starting_without_a_choice_remembers_nothing(tmp_path):
    app = demo_app()
    async with app.run_test(size=SIZE):
        assert app.theme == "rkt-night"
    assert not settings_file().exists()


@drive
async def test_a_theme_file_of_the_users_own_is_offered(tmp_path):
    own = tmp_path / "xdg" / "rkttui" / "themes"
    own.mkdir(parents=True)
    (own / "mine.toml").write_text('name = "mine"\nprimary = "#336699"\n')
    app = demo_app("--theme", "mine")
    async with app.run_test(size=SIZE):
        assert app.theme == "mine"


@drive
async def test_a_broken_theme_file_is_skipped_with_a_notice(tmp_path):
    own = tmp_path / "xdg" / "rkttui" / "themes"
    own.mkdir(parents=True)
    (own / "bad.toml").write_text('name = "bad"\nprimary = "not a colour"\n')
    app = demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert "bad" not in app.available_themes
        assert notices(app) == [f"Theme file skipped {own / 'bad.toml'}: primary "
                                "'not a colour' is not a colour"]


@drive
async def test_an_unwritable_settings_directory_is_reported_not_fatal(
        tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    app = demo_app("--theme", "rkt-paper")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert app.theme == "rkt-paper"
        assert any("cannot remember the theme" in text for text in notices(app))
