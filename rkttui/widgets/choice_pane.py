"""The choice pane: what the selected entry runs, and the choices the site allows.

Only what the admin allows is offered: an executable is typed freely only
under `[allow] exec`, volumes are toggles only when on-request, variables only
under `[allow] set-env`, and the interactive switch only under `[allow]
interactive`.
"""

import re

from rktcore.messages import Refusal
from rktcore.template import render
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Checkbox, Input, Label, Select, Switch

from rkttui.catalogue import ALIAS, EXEC, IMAGE
from rkttui.draft import Draft, exec_choices, verdict
from rkttui.widgets.env_rows import EnvRows
from rkttui.widgets.plain import Plain
from rkttui.widgets.typeahead import TypeaheadInput

IMAGE_DEFAULT = "(the image's default)"
ARGUMENTS_HINT = "as in a shell: mem ref.fa 'my reads.fq'"


def widget_id(name: str) -> str:
    """Return a widget id made from a config name, which may hold any character."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def setting(options: str, key: str) -> str:
    """Return key's value in a runtime's key=value,... volume string, or ""."""
    for option in options.split(","):
        name, _, value = option.partition("=")
        if name == key:
            return value
    return ""


def bound_names(bound) -> list[str]:
    """Return the names and PREFIX_ stems `[allow] set-env` admits, to suggest."""
    if isinstance(bound, bool):
        return []
    return [pattern.removesuffix("*") for pattern in bound]


def bound_text(bound) -> str:
    """Say in a few words which variables a user may set."""
    if bound is True:
        return "any variable; the site sets the ones it needs"
    return "only " + ", ".join(bound)


class ChoicePane(VerticalScroll):
    """The selected entry, its executable, arguments, volumes and environment."""

    entry = reactive(None, always_update=True, init=False)

    class Changed(Message):
        """The draft changed; the preview should be planned again."""

        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    def __init__(self, site, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.site = site
        self.draft = Draft()
        # What was chosen and typed for each entry, by (kind, name): the
        # executable picked, the one typed, and the arguments. Moving through
        # the list, or the list growing when the pulled images arrive, must
        # never lose what someone typed.
        self.typed: dict[tuple[str, str], tuple[str, str, str]] = {}
        # The executables the select offers now, to rebuild it only on a change.
        self.offered: list[str] = []
        volumes = site.config.doc.get("volume", {})
        self.on_request = [name for name, v in volumes.items() if v.get("on-request")]
        self.fixed = [name for name, v in volumes.items() if not v.get("on-request")]

    def compose(self):
        allow = self.site.config.allow
        yield Plain(id="choice-title")
        yield Plain(id="choice-image")
        with Horizontal(classes="field", id="exec-field"):
            yield Label("executable", classes="field-label")
            yield Select([(IMAGE_DEFAULT, "")], allow_blank=False, compact=True,
                         id="exec-select")
            yield TypeaheadInput(placeholder="or type one", compact=True,
                                 id="exec-text")
            yield Plain(id="exec-fixed")
        with Horizontal(classes="field"):
            yield Label("arguments", classes="field-label")
            yield TypeaheadInput(placeholder=ARGUMENTS_HINT, compact=True,
                                 id="arguments")
        yield Plain(id="arguments-problem")
        yield Label("volumes", classes="section")
        for name in self.fixed:
            yield Plain(f"■ {self.volume_text(name)}  (always mounted)",
                         classes="volume-fixed")
        for name in self.on_request:
            yield Checkbox(self.volume_text(name), name=name,
                           id=f"volume-{widget_id(name)}", classes="volume-toggle")
        bound = allow("set-env")
        if bound:
            yield Label("environment", classes="section")
            yield Plain(f"you may set {bound_text(bound)}", classes="hint")
            yield EnvRows(bound_names(bound), id="env-rows")
        if allow("interactive"):
            with Horizontal(classes="field", id="interactive-field"):
                yield Label("interactive", classes="field-label")
                yield Switch(id="interactive")
                yield Plain("attach your terminal's input to the container",
                             classes="hint")

    def volume_text(self, name: str) -> str:
        """Describe a volume for the caller: host path, container path, read-only."""
        volume = self.site.config.doc["volume"][name]
        variables = self.site.caller.template_variables()
        if "source" in volume:  # the structured form, which podman needs
            return (f"{name}  {render(volume['source'], variables)} → "
                    f"{render(volume['target'], variables)}"
                    + ("  (read-only)" if volume.get("read-only") else ""))
        source = render(volume["volume"], variables)
        mount = render(volume.get("mount", ""), variables)
        host = setting(source, "source") or source
        inside = setting(mount, "target") or "not mounted"
        read_only = setting(source, "readOnly") == "true"
        return f"{name}  {host} → {inside}" + ("  (read-only)" if read_only else "")

    def watch_entry(self, old, entry) -> None:
        """Show a new entry, with what was typed for it before, if anything."""
        arguments = self.query_one("#arguments", Input)
        exec_text = self.query_one("#exec-text", Input)
        select = self.query_one("#exec-select", Select)
        if old is not None:
            picked = select.value if isinstance(select.value, str) else ""
            self.typed[old.kind, old.name] = (picked, exec_text.value,
                                              arguments.value)
        key = None if entry is None else (entry.kind, entry.name)
        picked, typed_exec, typed_arguments = self.typed.get(key, (None, "", ""))
        self.draft.entry = entry
        self.draft.arguments = typed_arguments
        self.show_entry(entry)
        with self.prevent(Input.Changed):
            arguments.value = typed_arguments
            exec_text.value = typed_exec
        self.show_exec_choices(entry, picked)
        self.draft.exec = self.chosen_exec()
        self.show_arguments_problem()
        self.refresh_verdicts()
        self.post_message(self.Changed(self.draft))

    def show_entry(self, entry) -> None:
        """Write the entry's title and image."""
        title = self.query_one("#choice-title", Plain)
        image = self.query_one("#choice-image", Plain)
        if entry is None:
            title.show("Nothing matches the filter")
            image.show("")
            return
        description = self.site.config.doc.get("alias", {}).get(
            entry.alias, {}).get("description", "")
        if entry.kind == EXEC:
            title.show(f"{entry.name}  — runs {entry.exec} from alias {entry.alias}")
        elif entry.kind == ALIAS:
            title.show(f"{entry.name}  — {description or 'alias'}")
        else:
            title.show(f"{entry.name}  — a pulled image")
        image.show(f"image  {entry.image}")

    def show_exec_choices(self, entry, picked: str | None = None) -> None:
        """Offer the executables this entry may run, and nothing else.

        The select starts on picked, where it is offered, or on the first.
        """
        listed, free = exec_choices(self.site, entry)
        select = self.query_one("#exec-select", Select)
        text = self.query_one("#exec-text", Input)
        fixed = self.query_one("#exec-fixed", Plain)
        select.display = bool(listed)
        text.display = free
        fixed.display = not listed and not free
        if entry is not None and entry.kind == EXEC:
            fixed.show(f"{entry.exec}  (this name always runs it)")
        elif entry is not None and entry.kind == IMAGE:
            fixed.show("the image's default; this site does not let you name one")
        else:
            fixed.show("")
        if picked not in (*listed, ""):
            picked = listed[0] if listed else ""
        if listed:
            with self.prevent(Select.Changed):
                if listed != self.offered:
                    select.set_options([(exe, exe) for exe in listed]
                                       + [(IMAGE_DEFAULT, "")])
                    self.offered = listed
                select.value = picked

    def refresh_verdicts(self) -> None:
        """Check every environment row against the bounds, as rkt-run will."""
        rows = self.query_one(EnvRows).rows if self.query(EnvRows) else []
        for row in rows:
            row.verdict = verdict(self.site, self.draft.entry, *row.pair)
        self.draft.environment = [row.pair for row in rows]

    def changed(self) -> None:
        self.post_message(self.Changed(self.draft))

    def chosen_exec(self) -> str:
        """Return the executable chosen: the one typed, else the one picked."""
        text = self.query_one("#exec-text", Input)
        select = self.query_one("#exec-select", Select)
        typed = text.value.strip() if text.display else ""
        picked = select.value if select.display else ""
        return typed or (picked if isinstance(picked, str) else "")

    def on_select_changed(self) -> None:
        self.draft.exec = self.chosen_exec()
        self.changed()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "arguments":
            self.draft.arguments = event.value
            self.show_arguments_problem()
        elif event.input.id == "exec-text":
            self.draft.exec = self.chosen_exec()
        self.changed()

    def show_arguments_problem(self) -> None:
        """Show where the arguments cannot be split, as you type them."""
        problem = self.query_one("#arguments-problem", Plain)
        try:
            self.draft.words()
        except Refusal as refusal:
            problem.show(f"✗ {refusal}")
            problem.display = True
        else:
            problem.display = False

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        toggled = {box.name for box in self.query(".volume-toggle") if box.value}
        self.draft.volumes = [name for name in self.on_request if name in toggled]
        self.changed()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self.draft.interactive = event.value
        self.changed()

    def on_env_rows_changed(self, event: EnvRows.Changed) -> None:
        self.refresh_verdicts()
        self.changed()
