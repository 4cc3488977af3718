"""The screen for a config rkt-tui cannot use: the one line, and the key at fault."""

import re

from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from rkttui.widgets.plain import Plain

TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def key_at_fault(message: str, path: str) -> str:
    """Return the key (or TOML position) a config error names, or ""."""
    position = TOML_POSITION.search(message)
    if position:
        return f"line {position.group(1)}, column {position.group(2)}"
    prefix = f"{path}: "
    if not message.startswith(prefix):
        return ""
    first = message[len(prefix):].split(" ", 1)[0]
    return "" if first in ("not", "cannot", "config") else first


class BrokenConfigScreen(Screen):
    """Say why the config cannot be used, and how to go on."""

    BINDINGS = [
        Binding("r", "app.reload", "Read again"),
        Binding("q,escape", "app.quit", "Quit"),
    ]

    def __init__(self, message: str, path: str) -> None:
        super().__init__()
        self.message = message
        self.path = path

    def compose(self):
        yield Header()
        with Vertical(id="broken"):
            yield Plain("rkt-tui cannot use this config", classes="dialog-title")
            yield Plain(id="broken-message")
            yield Plain(id="broken-key")
            yield Plain("Fix the file (or ask your admin to), then press r to "
                         "read it again. rkt-tui --demo opens a demo catalogue.",
                         classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.show_problem(self.message)

    def show_problem(self, message: str) -> None:
        """Show the config's one-line error and the key it names."""
        self.message = message
        self.query_one("#broken-message", Plain).update(f"✗ {message}")
        key = key_at_fault(message, self.path)
        self.query_one("#broken-key", Plain).update(
            f"at fault: {key}" if key else f"file: {self.path}")
