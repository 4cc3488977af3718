"""The catalogue list: one line per entry, drawn only where it is visible.

A line-API widget rather than one widget per entry, so that showing a new set
of matches costs the same for ten entries as for ten thousand.

Choosing and starting the filter move the focus, so they are callbacks run
as the key arrives rather than messages handled later: the keys typed after
them must find the focus moved (see rkttui.widgets.typeahead).
"""

from rich.segment import Segment
from rich.style import Style as RichStyle
from textual.binding import Binding
from textual.events import Click, Key
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from rkttui.catalogue import IMAGE, name_positions
from rkttui.widgets.typeahead import pass_on

NAME_WIDTH = 24
# The one printable key that keeps its meaning on the list: help. Every other
# goes to the filter, so that no name is cut short by a key that does more.
HELP_KEY = "?"


def human_size(size: int) -> str:
    """Return a byte count the way people read it."""
    amount = float(size or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return ""


def detail(entry) -> str:
    """Return the text after an entry's name: what it is, in a few words."""
    if entry.kind == IMAGE:
        return human_size(entry.size)
    if entry.exec:
        return f"in {entry.alias}"
    return entry.description


class CatalogueList(ScrollView, can_focus=True):
    """Everything runnable, with the matches of the filter highlighted."""

    COMPONENT_CLASSES = {
        "catalogue-list--cursor",
        "catalogue-list--kind",
        "catalogue-list--name",
        "catalogue-list--match",
        "catalogue-list--detail",
    }
    BINDINGS = [
        Binding("enter", "choose", "Choose"),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    cursor = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor moved to another entry (None when nothing matches).

        filtering is True when the move came from a new filter rather than
        from the user moving the cursor.
        """

        def __init__(self, entry, filtering: bool = False) -> None:
            super().__init__()
            self.entry = entry
            self.filtering = filtering

    def __init__(self, choose, find, *, id: str | None = None) -> None:
        """Make the list; choose(entry) chooses, find() moves to the filter."""
        super().__init__(id=id)
        self.choose = choose
        self.find = find
        self.entries: list = []
        self.query = ""
        self._highlighted = None
        self._filtering = False
        self._styles: dict = {}

    @property
    def entry(self):
        """Return the entry under the cursor, or None."""
        return self.entries[self.cursor] if self.entries else None

    def show(self, entries: list, query: str = "", keep=None) -> None:
        """Show a new list of entries, the cursor on keep's kind and name or first."""
        self.entries = entries
        self.query = query
        self.set_rows(len(entries))
        self.scroll_to(y=0, animate=False, immediate=True)
        self._filtering = True
        self.cursor = self.index_of(keep) if keep is not None else 0
        self._filtering = False
        self.refresh()

    def index_of(self, entry) -> int:
        """Return where an entry of entry's kind and name is shown, or 0."""
        key = (entry.kind, entry.name)
        for index, shown in enumerate(self.entries):
            if (shown.kind, shown.name) == key:
                return index
        return 0

    def set_rows(self, count: int) -> None:
        """Set the scrollable height, laying the screen out only if it must.

        A layout pass over the whole screen costs more than the filter itself;
        it is needed only when the scrollbar appears or disappears.
        """
        region = self.scrollable_content_region
        size = Size(region.width, count)
        scrolled_before = self.virtual_size.height > region.height
        if not self.is_mounted or scrolled_before != (count > region.height):
            self.virtual_size = size
            return
        self.set_reactive(CatalogueList.virtual_size, size)
        if scrolled_before:
            self.vertical_scrollbar.window_virtual_size = count
            self.vertical_scrollbar.refresh()

    def move_to(self, entry) -> None:
        """Put the cursor on entry, if the list shows it."""
        for index, shown in enumerate(self.entries):
            if shown is entry:
                self.cursor = index
                return

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self.entries) - 1))

    def watch_cursor(self, cursor: int) -> None:
        self.scroll_to_region(Region(0, cursor, 1, 1), animate=False,
                              force=True, immediate=True)
        self.refresh()
        entry = self.entry
        if entry is not self._highlighted:
            self._highlighted = entry
            self.post_message(self.Highlighted(entry, self._filtering))

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.entries) - 1

    def action_choose(self) -> None:
        if self.entry is not None:
            self.choose(self.entry)

    def on_key(self, event: Key) -> None:
        if pass_on(self, event):
            return
        character = event.character or ""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_choose()
        elif character == "/" or (event.is_printable and character != HELP_KEY):
            event.stop()
            event.prevent_default()
            self.find()
            if character != "/":
                pass_on(self, event)  # the letter starts the filter's text

    def on_click(self, event: Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if index < len(self.entries):
            self.cursor = index
            if event.chain > 1:
                self.action_choose()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width,
                                 len(self.entries))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self.entries):
            return Strip.blank(width, self.rich_style)
        styles = self.row_styles(index == self.cursor)
        strip = Strip(self.row_segments(self.entries[index], styles))
        return strip.crop_extend(scroll_x, scroll_x + width, styles["base"])

    def row_styles(self, under_cursor: bool) -> dict:
        """Return the styles of a row's parts; the cursor's row is in one style."""
        cached = self._styles.get(under_cursor)
        if cached is not None:
            return cached
        style = self.get_component_rich_style
        if under_cursor:
            cursor = self.rich_style + style("catalogue-list--cursor")
            match = cursor + RichStyle(bold=True, underline=True)
            styles = dict(base=cursor, kind=cursor, name=cursor, match=match,
                          detail=cursor)
        else:
            styles = {
                "base": self.rich_style,
                "kind": style("catalogue-list--kind"),
                "name": style("catalogue-list--name"),
                "match": style("catalogue-list--match"),
                "detail": style("catalogue-list--detail"),
            }
        self._styles[under_cursor] = styles
        return styles

    def notify_style_update(self) -> None:
        # Themes and focus change the styles; work them out again when drawn.
        self._styles = {}
        super().notify_style_update()

    def row_segments(self, entry, styles: dict) -> list[Segment]:
        """Return one entry's line: kind, name with the matches marked, detail."""
        segments = [Segment(f" {entry.kind:<5} ", styles["kind"])]
        segments += name_segments(entry.name, self.query, styles)
        gap = max(2, NAME_WIDTH + 2 - len(entry.name))
        segments.append(Segment(" " * gap, styles["base"]))
        segments.append(Segment(detail(entry), styles["detail"]))
        return segments


def name_segments(name: str, query: str, styles: dict) -> list[Segment]:
    """Return a name as segments, the letters the query matched marked."""
    marked = set(name_positions(name, query)) if query else set()
    segments = []
    start = 0
    for end in range(1, len(name) + 1):
        if end == len(name) or (end in marked) != (start in marked):
            style = styles["match"] if start in marked else styles["name"]
            segments.append(Segment(name[start:end], style))
            start = end
    return segments
