"""The filter box: one line of filter text that steers the list it filters.

Input widens its virtual size with every letter, and a new virtual size asks
for a layout pass over the whole screen: at 10,000 entries that pass cost more
than the filter itself. The box's size is fixed by the stylesheet (one line,
the width of the list), so what it holds never moves anything else; a repaint
is all a new value needs.

The arrows, enter and esc are not typed but steer the list. They are acted on
here, as each arrives, so that enter has moved the focus to the arguments
before the keys typed after it are handled (see rkttui.widgets.typeahead).
"""

from textual.events import Key

from rkttui.widgets.typeahead import TypeaheadInput, pass_on

STEERING = ("up", "down", "pageup", "pagedown", "enter", "escape")


class FilterBox(TypeaheadInput):
    """One line of filter text, fixed in size."""

    def __init__(self, steer, **kwargs) -> None:
        """Make the box; steer(key, text) acts on a steering key at once."""
        super().__init__(**kwargs)
        self.steer = steer

    def on_key(self, event: Key) -> None:
        if pass_on(self, event):
            return
        if event.key in STEERING:
            event.stop()
            event.prevent_default()
            self.steer(event.key, self.value)

    def refresh(self, *regions, repaint: bool = True, layout: bool = False,
                recompose: bool = False):
        if layout and self.is_mounted and not self.styles.auto_dimensions:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout,
                               recompose=recompose)
