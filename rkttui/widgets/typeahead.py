"""Keys typed ahead of a focus move reach the widget the focus moved to.

A terminal delivers fast typing, or a paste of keys, in one read, and Textual
sends each key to the widget focused when the key arrives: all of them, before
the first is acted on. So a key that moves the focus moves it while it is
handled, never through a message, and the keys queued behind it, which still
reach the widget it left, are passed on in order to the widget focused now.
"""

from textual.events import Key
from textual.widgets import Input


def pass_on(widget, event: Key) -> bool:
    """Pass on a key that reached widget after the focus left it; say if it did."""
    screen = widget.screen
    focused = screen.focused
    if focused is None or focused is widget or screen is not widget.app.screen:
        return False
    event.stop()
    event.prevent_default()
    # The way the app sends a key: behind the keys the widget holds already,
    # and marked as sent, so that the app does not send it a second time.
    # FIXME: a private method of Textual's (pinned to 8.2 for it); use a
    # public way to send a key to a widget once Textual has one.
    focused._forward_event(Key(event.key, event.character))
    return True


class TypeaheadInput(Input):
    """A one-line Input that tab leaves at once, passing on what follows it."""

    def on_key(self, event: Key) -> None:
        if pass_on(self, event):
            return
        if event.key in ("tab", "shift+tab"):
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
