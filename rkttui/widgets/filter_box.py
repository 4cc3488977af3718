"""The filter box: an Input whose typing never lays the whole screen out again.

Input widens its virtual size with every letter, and a new virtual size asks
for a layout pass over the whole screen: at 10,000 entries that pass cost more
than the filter itself. The box's size is fixed by the stylesheet (one line,
the width of the list), so what it holds never moves anything else; a repaint
is all a new value needs.
"""

from textual.widgets import Input


class FilterBox(Input):
    """One line of filter text, fixed in size."""

    def refresh(self, *regions, repaint: bool = True, layout: bool = False,
                recompose: bool = False):
        if layout and self.is_mounted and not self.styles.auto_dimensions:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout,
                               recompose=recompose)
