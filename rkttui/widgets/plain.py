"""Plain: a Static that shows text as it is, never reading it as markup.

Descriptions, paths, arguments and messages come from configs and users; a
bracket in them must be shown, not taken for a style.
"""

from textual.widgets import Static


class Plain(Static):
    """Text shown exactly as given."""

    def __init__(self, content="", **kwargs) -> None:
        super().__init__(content, markup=False, **kwargs)
