"""rkt-tui: browse what the site lets you run, choose, preview, and run it.

rkt-tui holds no privilege. It plans with the function rkt-run uses, and Run
hands the request to rkt-run, which checks it again from scratch.
"""

import argparse
import sys
from functools import partial

from rktcore.messages import ConfigError, Exit
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.theme import BUILTIN_THEMES

from rkttui.handoff import HandOff, exec_rkt_run, find_rkt_run
from rkttui.screens.broken_config import BrokenConfigScreen
from rkttui.screens.main import MainScreen
from rkttui.settings import remember_theme, remembered_theme
from rkttui.site import open_site
from rkttui.theming import DEFAULT_THEME, load_themes

PROGRAM = "rkt-tui"
NO_TERMINAL = ("needs a terminal on stdin and stdout; in scripts and pipes use "
               "rkt-run (rkt-run --help, rkt-run -l)")


def say(message: str) -> None:
    """Write one line for the user on stderr."""
    sys.stderr.write(f"{PROGRAM}: {message}\n")


class UsageError(Exception):
    """rkt-tui's command line is wrong; the message is the user's one line."""


class ArgumentParser(argparse.ArgumentParser):
    """An argument parser whose complaints are one line, as rkt-run's are."""

    def error(self, message: str):
        raise UsageError(f"{message}; rkt-tui --help lists the options")


class RktTui(App):
    """The launcher: a catalogue, a choice pane, a live preview, and Run."""

    TITLE = "rkt-tui"
    CSS_PATH = ["app.tcss", "catalogue.tcss", "dialogs.tcss"]
    BINDINGS = [Binding("f1", "help", "Help", show=False)]

    def __init__(self, site=None, problem: str = "", *, config_path: str = "",
                 demo: bool = False, theme: str = "", alias: str = "",
                 rkt_run: str | None = "", execute=exec_rkt_run,
                 remember: bool = True) -> None:
        super().__init__()
        self.site = site
        self.problem = problem
        self.config_path = config_path
        self.demo = demo
        self.alias = alias
        # "" means: look for rkt-run on PATH; None means there is none.
        self.rkt_run = find_rkt_run() if rkt_run == "" else rkt_run
        # Replaced by a recorder in tests; called by main() after the app exits.
        self.execute = execute
        self.theme_choice = theme
        # Whether theme changes are written to the settings; off while starting.
        self.remember = remember
        self.remembering = False
        themes, self.theme_problems = load_themes()
        self.file_themes = [theme.name for theme in themes]
        for each in themes:
            self.register_theme(each)
        self.theme = self.starting_theme(theme)

    def starting_theme(self, asked: str) -> str:
        """Return the theme asked for, else the remembered one, else the default."""
        for name in (asked, remembered_theme(), DEFAULT_THEME):
            if name and name in self.available_themes:
                return name
        return "textual-dark"

    def get_default_screen(self):
        if self.site is None:
            return BrokenConfigScreen(self.problem, self.config_path)
        return MainScreen(self.site, self.alias)

    def on_mount(self) -> None:
        for problem in self.theme_problems:
            self.notify(problem, title="Theme file skipped", severity="warning")
        self.remembering = self.remember
        if self.theme_choice:
            self.watch_theme(self.theme)

    def watch_theme(self, name: str) -> None:
        """Remember the theme chosen, for the next start."""
        if not self.remembering:
            return
        try:
            remember_theme(name)
        except OSError as error:
            self.notify(f"cannot remember the theme: {error.strerror or error}",
                        severity="warning")

    def apply_filter(self, query: str) -> int:
        """Filter the catalogue as typing in the filter does; return the count."""
        return self.screen.apply_filter(query)

    def action_help(self) -> None:
        """Show the keys and what rkt-tui does."""
        # Imported here: Markdown costs a tenth of the start-up time otherwise.
        from rkttui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_reload(self) -> None:
        """Read the config again; open the catalogue if it is fixed."""
        try:
            self.site = open_site(self.config_path, self.demo)
        except ConfigError as error:
            self.screen.show_problem(str(error))
            return
        # The broken screen stays beneath, out of sight; nothing pops back to it.
        self.push_screen(MainScreen(self.site, self.alias))

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "The keys and what rkt-tui does (? or F1)",
                            self.action_help)
        if isinstance(screen, MainScreen):
            yield from main_screen_commands(screen)
        elif isinstance(screen, BrokenConfigScreen):
            yield SystemCommand("Read again", "Read the config again, once it is "
                                "fixed (r)", self.action_reload)
        for name in self.file_themes:
            yield SystemCommand(f"Theme: {name}",
                                f"Switch to the {name} theme, and remember it",
                                partial(setattr, self, "theme", name))


def main_screen_commands(screen):
    """Yield the palette's commands for the main screen's actions."""
    commands = [
        ("Run", "Run the previewed command through rkt-run (ctrl+r)",
         screen.action_run),
        ("Save as wrapper script", "Write exec rkt-run ... \"$@\" to a file "
         "(ctrl+s)", screen.action_save_wrapper),
        ("Copy runtime command", "Copy the command rkt-run will execute "
         "(ctrl+y)", screen.action_copy_command),
        ("Copy rkt-run command line", "Copy the equivalent rkt-run command "
         "(ctrl+o)", screen.action_copy_handoff),
        ("Explained view", "Show each word of the command with its origin, or "
         "the command again (ctrl+t)", screen.action_toggle_explained),
        ("Filter", "Filter the catalogue by name, image or description (/)",
         screen.action_filter),
        ("Back", "Back to the list; from the filter or the list, clear it (esc)",
         screen.action_back),
    ]
    for name, help_text, callback in commands:
        yield SystemCommand(name, help_text, callback)


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    """Read rkt-tui's command line."""
    parser = ArgumentParser(
        prog=PROGRAM,
        description="Browse what this site lets you run, choose within its "
        "bounds, watch the exact command take shape, and run it through rkt-run.",
    )
    parser.add_argument("--config", default="", metavar="FILE",
                        help="another config than /etc/rktrunner.toml")
    parser.add_argument("--theme", default="", metavar="NAME",
                        help="the theme to use, and to remember")
    parser.add_argument("--demo", action="store_true",
                        help="open the demo catalogue embedded in rkt-tui")
    parser.add_argument("alias", nargs="?", default="", metavar="ALIAS",
                        help="select this alias, executable or image at start")
    options = parser.parse_args(argv)
    if options.demo and options.config:
        raise UsageError("--demo opens the embedded demo catalogue, so it takes "
                         "no --config; drop one of them")
    return options


def theme_names() -> list[str]:
    """Return every theme --theme accepts."""
    themes, _ = load_themes()
    return sorted({theme.name for theme in themes} | set(BUILTIN_THEMES))


def build_app(options: argparse.Namespace, **extra) -> RktTui:
    """Open the site the options name, or the screen that says why it is broken."""
    try:
        site = open_site(options.config, options.demo)
    except ConfigError as error:
        return RktTui(None, str(error), config_path=options.config or
                      "/etc/rktrunner.toml", theme=options.theme, **extra)
    return RktTui(site, config_path=options.config, demo=options.demo,
                  theme=options.theme, alias=options.alias, **extra)


def finish(app: RktTui) -> int:
    """Hand off to rkt-run if Run was confirmed; return the exit status otherwise."""
    handoff = app.return_value
    if not isinstance(handoff, HandOff):
        return app.return_code or Exit.OK
    try:
        app.execute(handoff.rkt_run, handoff.argv)
    except OSError as error:
        say(f"cannot run {handoff.rkt_run}: {error.strerror or error}; "
            f"run it yourself: {handoff.command_line}")
        return Exit.UNAVAILABLE
    return Exit.OK


def main(argv: list[str] | None = None) -> int:
    """Run rkt-tui and return its exit status."""
    try:
        options = parse_arguments(sys.argv[1:] if argv is None else argv)
    except UsageError as error:
        say(str(error))
        return Exit.USAGE
    if options.theme and options.theme not in theme_names():
        say(f'theme "{options.theme}" is unknown; choose one of: '
            + ", ".join(theme_names()))
        return Exit.USAGE
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        say(NO_TERMINAL)
        return Exit.USAGE
    app = build_app(options)
    app.run()
    return finish(app)
