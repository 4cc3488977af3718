"""Dialogs over the main screen: Run's one question, saving a script, overwriting."""

from pathlib import Path

from rktcore.messages import Refusal
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input

from rkttui.handoff import DEMO, MISSING, OWN_CONFIG, READY
from rkttui.widgets.plain import Plain
from rkttui.wrapper import ScriptExists, save_script

ADMIN_INSTALL = "rkt-run-admin install"


def run_wording(handoff) -> tuple[str, str]:
    """Return the title and the explanation Run shows for a hand-off."""
    if handoff.readiness == READY:
        return ("Run this?",
                "rkt-tui closes, and rkt-run checks the request again and starts "
                "the container in this terminal; its exit status is yours.")
    if handoff.readiness == DEMO:
        return ("Demo: nothing runs",
                "On a site with rkttui installed, Run would execute this, and "
                "rkt-run would start the runtime command below it.")
    if handoff.readiness == MISSING:
        return ("rkt-run is not installed",
                "rkt-tui cannot find rkt-run on your PATH. Ask your admin to "
                "install rkttui; this is the command to run then.")
    if handoff.readiness == OWN_CONFIG:
        return ("rkt-run runs only the site's config for you",
                "rkt-run reads a config named with --config only for root, or "
                "for a --dry-run, so it would refuse this run. Start rkt-tui "
                "without --config to choose from the site's config.")
    return ("rkt-run cannot start containers here",
            f"{handoff.rkt_run} is not installed setuid root, so it can only "
            f"preview. Ask your admin to run `{ADMIN_INSTALL}`, and hand them "
            "this command.")


class RunDialog(ModalScreen):
    """Run's one question, or why Run cannot happen; dismisses with the hand-off."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, handoff, runtime_command: str) -> None:
        super().__init__(classes="dialog-screen")
        self.handoff = handoff
        self.runtime_command = runtime_command

    def compose(self):
        title, text = run_wording(self.handoff)
        ready = self.handoff.readiness == READY
        with Vertical(classes="dialog", id="run-dialog"):
            yield Plain(title, classes="dialog-title")
            yield Plain(text, classes="dialog-text")
            yield Plain(self.handoff.command_line, classes="dialog-command",
                         id="run-command")
            if self.handoff.readiness == DEMO:
                yield Plain(self.runtime_command, classes="dialog-command")
            with Horizontal(classes="dialog-buttons"):
                if ready:
                    yield Button("Run", id="run", variant="primary")
                else:
                    yield Button("Copy command", id="copy", variant="primary")
                yield Button("Cancel" if ready else "Close", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "run":
            self.dismiss(self.handoff)
        elif event.button.id == "copy":
            self.app.copy_to_clipboard(self.handoff.command_line)
            self.notify(self.handoff.command_line, title="Copied the rkt-run command")
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen):
    """A yes-or-no question; dismisses with True for yes."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question

    def compose(self):
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Plain(self.question, classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class SaveDialog(ModalScreen):
    """Choose where to save the wrapper script; dismisses with its path or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: str, text: str) -> None:
        super().__init__(classes="dialog-screen")
        self.default_path = default_path
        self.text = text

    def compose(self):
        with Vertical(classes="dialog", id="save-dialog"):
            yield Plain("Save as wrapper script", classes="dialog-title")
            yield Plain(self.text.rstrip("\n"), classes="dialog-script")
            yield Input(value=self.default_path, id="save-path")
            yield Plain(id="save-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#save-path", Input).focus()

    @property
    def path(self) -> Path:
        return Path(self.query_one("#save-path", Input).value.strip()).expanduser()

    def on_input_submitted(self) -> None:
        self.save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.save()
        else:
            self.dismiss(None)

    def save(self, overwrite: bool = False) -> None:
        """Write the script, asking first if the path holds a file already."""
        path = self.path
        try:
            save_script(path, self.text, overwrite=overwrite)
        except ScriptExists:
            self.app.push_screen(ConfirmDialog(f"{path} exists. Overwrite it?"),
                                 self.overwrite_answered)
        except Refusal as refusal:
            self.query_one("#save-problem", Plain).update(f"✗ {refusal}")
        else:
            self.dismiss(str(path))

    def overwrite_answered(self, yes: bool) -> None:
        if yes:
            self.save(overwrite=True)
        else:
            self.query_one("#save-problem", Plain).update(
                "not saved; choose another path, or save again to be asked again")

    def action_cancel(self) -> None:
        self.dismiss(None)
