"""The main screen: browse the catalogue, choose, watch the command, run it."""

import gc
from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input

from rkttui.catalogue import IMAGE, Catalogue, entries_of, image_entries
from rkttui.draft import outcome
from rkttui.handoff import hand_off
from rkttui.screens.dialogs import RunDialog, SaveDialog
from rkttui.site import pulled_images
from rkttui.widgets.catalogue_list import CatalogueList
from rkttui.widgets.choice_pane import ChoicePane
from rkttui.widgets.command_preview import CommandPreview
from rkttui.widgets.filter_box import FilterBox
from rkttui.widgets.plain import Plain
from rkttui.wrapper import script_text

# Seconds after the last filter keystroke before the choices follow the list.
SETTLE_DELAY = 0.25


class MainScreen(Screen):
    """The catalogue on the left, the choices on the right, the command below."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("ctrl+r", "run", "Run"),
        Binding("ctrl+s", "save_wrapper", "Save script"),
        Binding("ctrl+t", "toggle_explained", "Explain"),
        Binding("ctrl+y", "copy_command", "Copy"),
        Binding("ctrl+o", "copy_handoff", "Copy rkt-run", show=False),
        Binding("escape", "back", "Back"),
        Binding("f1,question_mark", "app.help", "Help", key_display="?"),
        # q is a letter for the filter here, and quits only from the preview.
        # Priority, as the app's own ctrl+q is, so that the footer shows it.
        Binding("ctrl+q", "app.quit", "Quit", key_display="^q", priority=True),
    ]

    def __init__(self, site, alias: str = "") -> None:
        super().__init__()
        self.site = site
        self.alias = alias
        self.aliases = entries_of(site.config)
        self.catalogue = Catalogue(self.aliases + image_entries(site.config,
                                                                site.images or []))
        # The catalogue lives as long as the app: keep the garbage collector
        # from walking its entries again while each keystroke makes new lists.
        gc.freeze()
        self.pending_entry = None
        self.settle_timer = None

    def compose(self):
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="browse"):
                yield FilterBox(self.steer,
                                placeholder="/ filter: names, images, descriptions",
                                id="filter")
                yield Plain(id="match-count")
                yield CatalogueList(self.choose, self.action_filter,
                                    id="catalogue")
                yield Plain(id="images-note")
            yield ChoicePane(self.site, id="choice")
        yield CommandPreview(self.site.config_arg, id="preview")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.site.where
        catalogue = self.query_one(CatalogueList)
        catalogue.focus()
        self.apply_filter("")
        if self.site.images is None:
            self.note_images("pulled images: asking rkt-run…")
            self.fetch_images()
        else:
            self.note_pulled(self.site.images, "")
        if self.alias:
            self.open_alias(self.alias)

    def open_alias(self, name: str) -> None:
        """Select the entry named on the command line, or filter by the name."""
        exact = [entry for entry in self.catalogue.entries if entry.name == name]
        if exact:
            self.query_one(CatalogueList).move_to(exact[0])
            self.query_one("#arguments", Input).focus()
        else:
            self.query_one("#filter", Input).value = name

    # The catalogue and its filter.

    def apply_filter(self, query: str, keep=None) -> int:
        """Show the entries matching query with their count; return the count.

        The cursor starts on the first match, or on keep's match if it has one.
        """
        found = self.catalogue.filter(query)
        self.query_one(CatalogueList).show(found, query, keep)
        total = len(self.catalogue)
        count = self.query_one("#match-count", Plain)
        # One line always: no layout pass for the whole screen on each keystroke.
        if query.strip():
            count.show(f"{len(found):,} of {total:,} match")
        else:
            count.show(f"{total:,} entries")
        return len(found)

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.follow_filter(self.query_one("#filter", Input).value)

    def follow_filter(self, query: str) -> None:
        """Filter the list by query, unless it shows that filter already."""
        # The filter's text may be ahead of its Changed messages: steer() has
        # filtered by the newest text, and an older message must not undo it.
        if self.query_one(CatalogueList).query != query:
            self.apply_filter(query)

    def steer(self, key: str, query: str) -> None:
        """Act on a key in the filter: move through the matches, choose, or go back."""
        self.follow_filter(query)
        catalogue = self.query_one(CatalogueList)
        if key == "enter":
            self.choose_match()
        elif key == "escape":
            self.action_back()
        elif key in ("up", "down"):
            catalogue.cursor += 1 if key == "down" else -1
        else:
            catalogue.action_page(1 if key == "pagedown" else -1)

    def choose_match(self) -> None:
        """Choose the match at the cursor; with none, keep the filter to correct."""
        entry = self.query_one(CatalogueList).entry
        if entry is None:
            self.notify("nothing matches the filter; esc clears it",
                        title="Nothing to choose", severity="warning")
            return
        self.choose(entry)

    def on_catalogue_list_highlighted(self, event: CatalogueList.Highlighted) -> None:
        # While the filter is being typed, the choices and the preview follow
        # once typing pauses, so that each keystroke only redraws the list.
        self.pending_entry = event.entry
        if self.settle_timer is not None:
            self.settle_timer.stop()
            self.settle_timer = None
        typing = self.query_one("#filter", Input).value.strip()
        if event.filtering and typing:
            self.settle_timer = self.set_timer(SETTLE_DELAY, self.settle)
        else:
            self.settle()

    def settle(self) -> None:
        """Show the highlighted entry in the choice pane, if it is not shown yet."""
        self.settle_timer = None
        pane = self.query_one(ChoicePane)
        if pane.entry is not self.pending_entry or pane.draft.entry is None:
            pane.entry = self.pending_entry

    def choose(self, entry) -> None:
        """Show entry's choices and move to its arguments, before the next key."""
        self.pending_entry = entry
        self.settle()
        self.set_focus(self.query_one("#arguments", Input))

    def on_choice_pane_changed(self, event: ChoicePane.Changed) -> None:
        self.query_one(CommandPreview).outcome = outcome(self.site, event.draft)

    # Pulled images, asked of rkt-run without holding up the first frame.

    @work(thread=True, exclusive=True)
    def fetch_images(self) -> None:
        images, why = pulled_images(self.app.rkt_run, self.site.config_arg)
        self.app.call_from_thread(self.show_images, images, why)

    def show_images(self, images: list[dict], why: str) -> None:
        """Put the pulled images into the catalogue, keeping the selection."""
        self.note_pulled(images, why)
        added = image_entries(self.site.config, images)
        if not added:
            return
        current = self.query_one(CatalogueList).entry
        self.catalogue = Catalogue(self.aliases + added)
        self.apply_filter(self.query_one("#filter", Input).value, keep=current)

    def note_pulled(self, images: list[dict], why: str) -> None:
        """Say how many images are pulled, or why the list has none."""
        if self.site.config.get("restrict-images"):
            self.note_images("this site runs aliases only; images run through them")
        elif why:
            self.note_images(f"no pulled images: {why}")
            self.query_one("#images-note").add_class("-problem")
        else:
            count = len(images)
            self.note_images(f"{count} pulled image{'' if count == 1 else 's'}")

    def note_images(self, text: str) -> None:
        self.query_one("#images-note", Plain).show(text)

    # Actions: every one is also in the command palette.

    @property
    def outcome(self):
        return self.query_one(CommandPreview).outcome

    def action_filter(self) -> None:
        """Move to the filter."""
        # At once, not later as focus() does: keys typed right after / must
        # reach the filter, however fast they come.
        self.set_focus(self.query_one("#filter", Input))

    def action_back(self) -> None:
        """Go back to the list; from the filter or the list, clear the filter."""
        catalogue = self.query_one(CatalogueList)
        filter_box = self.query_one("#filter", Input)
        if self.focused in (catalogue, filter_box):
            filter_box.value = ""
        self.set_focus(catalogue)

    def action_toggle_explained(self) -> None:
        """Switch the preview between the command and its explanation."""
        preview = self.query_one(CommandPreview)
        preview.explained = not preview.explained

    def action_copy_command(self) -> None:
        """Copy the runtime command, shell-quoted."""
        self.copy(self.query_one(CommandPreview).command_text, "the runtime command")

    def action_copy_handoff(self) -> None:
        """Copy the equivalent rkt-run command line."""
        self.copy(self.query_one(CommandPreview).handoff_text,
                  "the rkt-run command line")

    def copy(self, text: str, what: str) -> None:
        if not text:
            self.notify(self.outcome.problem if self.outcome else "nothing to copy",
                        title="Nothing to copy", severity="warning")
            return
        self.app.copy_to_clipboard(text)
        self.notify(text, title=f"Copied {what}")

    def action_run(self) -> None:
        """Ask once, then hand the request to rkt-run."""
        if not self.runnable("run"):
            return
        handoff = hand_off(self.site, self.outcome.request, self.app.rkt_run)
        plan_text = self.query_one(CommandPreview).command_text
        self.app.push_screen(RunDialog(handoff, plan_text), self.confirmed_run)

    def confirmed_run(self, handoff) -> None:
        if handoff is not None:
            self.app.exit(handoff)

    def action_save_wrapper(self) -> None:
        """Save the choice as a wrapper script that runs it through rkt-run."""
        if not self.runnable("save"):
            return
        handoff = hand_off(self.site, self.outcome.request, self.app.rkt_run)
        chosen = self.query_one(CatalogueList).entry
        description = self.site.config.doc.get("alias", {}).get(
            chosen.alias, {}).get("description", "")
        text = script_text(chosen.name, description, handoff.argv)
        self.app.push_screen(SaveDialog(self.default_script_path(chosen), text),
                             self.saved)

    def default_script_path(self, entry) -> str:
        """Suggest a script named for the entry, in the working directory."""
        name = entry.exec.rsplit("/", 1)[-1] if entry.exec else entry.name
        if entry.kind == IMAGE:
            name = entry.name.rsplit("/", 1)[-1].split(":")[0]
        return str(Path(self.site.cwd) / name)

    def saved(self, path) -> None:
        if path:
            self.notify(f"{path} (mode 0755)", title="Saved the wrapper script")

    def runnable(self, verb: str) -> bool:
        """Say whether there is a plan to act on; explain why not otherwise."""
        if self.outcome is not None and self.outcome.runnable:
            return True
        problem = self.outcome.problem if self.outcome else "choose something first"
        self.notify(problem, title=f"Nothing to {verb}", severity="error")
        return False
