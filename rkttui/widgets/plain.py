"""Plain: a Static that shows text as it is, and lays out the screen only when needed.

Descriptions, paths, arguments and messages come from configs and users; a
bracket in them must be shown, not taken for a style. And a new text of the
same height needs no layout pass over the whole screen, which costs more than
anything else a keystroke does.
"""

from textual.visual import visualize
from textual.widgets import Static


class Plain(Static):
    """Text shown exactly as given."""

    def __init__(self, content="", **kwargs) -> None:
        super().__init__(content, markup=False, **kwargs)
        self.shown = content

    def show(self, content) -> None:
        """Show content; lay the screen out again only if its height changes."""
        if content == self.shown:
            return
        self.shown = content
        width = self.content_region.width
        height = self.styles.height
        if height is not None and not height.is_auto:
            self.update(content, layout=False)
            return
        if not self.is_mounted or not width:
            self.update(content)
            return
        before = self.visual.get_height(self.styles, width)
        after = visualize(self, content, markup=False).get_height(self.styles, width)
        self.update(content, layout=before != after)
