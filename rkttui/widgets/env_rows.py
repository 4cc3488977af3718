"""Environment rows: NAME and value pairs, each with the site's verdict on it."""

from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input

from rkttui.widgets.plain import Plain
from rkttui.widgets.typeahead import TypeaheadInput


class EnvRow(Vertical):
    """One variable for the container, and whether the site allows it."""

    verdict = reactive((None, ""))

    def __init__(self, names: list[str], name: str = "", value: str = "") -> None:
        super().__init__(classes="env-row")
        self.names = names
        self.name_typed = name
        self.value_typed = value

    def compose(self):
        with Horizontal(classes="env-inputs"):
            suggester = SuggestFromList(self.names, case_sensitive=True)
            yield TypeaheadInput(self.name_typed, placeholder="NAME",
                                 classes="env-name", compact=True,
                                 suggester=suggester)
            yield TypeaheadInput(self.value_typed, placeholder="value",
                                 classes="env-value", compact=True)
            yield Button("✕", classes="env-remove", compact=True,
                         tooltip="remove this variable")
        yield Plain(classes="env-verdict")

    @property
    def pair(self) -> tuple[str, str]:
        """Return (NAME, value) as typed."""
        return self.name_typed.strip(), self.value_typed

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.has_class("env-name"):
            self.name_typed = event.value
        else:
            self.value_typed = event.value

    def watch_verdict(self, verdict) -> None:
        allowed, text = verdict
        mark = {True: "✓ ", False: "✗ ", None: ""}[allowed]
        self.query_one(".env-verdict", Plain).show(mark + text)
        self.set_class(allowed is True, "-allowed")
        self.set_class(allowed is False, "-refused")


class EnvRows(Vertical):
    """The variables a user adds, within what `[allow] set-env` admits."""

    class Changed(Message):
        """A row was added, removed or edited."""

    def __init__(self, names: list[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Exact names and PREFIX_ stems the site admits, offered as suggestions.
        self.names = names

    def compose(self):
        yield Button("+ add a variable", id="env-add", classes="env-add", compact=True)

    @property
    def rows(self) -> list[EnvRow]:
        return list(self.query(EnvRow))

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """Return every row's (NAME, value)."""
        return [row.pair for row in self.rows]

    async def add_row(self, name: str = "", value: str = "") -> EnvRow:
        """Add a row, fill it in if asked, and focus its name."""
        row = EnvRow(self.names, name, value)
        await self.mount(row, before="#env-add")
        row.query_one(".env-name", Input).focus()
        self.post_message(self.Changed())
        return row

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "env-add":
            await self.add_row()
            return
        row = next(ancestor for ancestor in event.button.ancestors
                   if isinstance(ancestor, EnvRow))
        await row.remove()
        self.post_message(self.Changed())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())
