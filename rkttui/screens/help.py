"""Help: what rkt-tui does and its keys."""

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# rkt-tui

Find a tool your site offers, choose within what the admin allows, watch the
exact command take shape, and run it. rkt-tui holds no privilege: Run hands the
request to `rkt-run`, which checks it again and starts the container.

- `/` (or any letter typed on the list) filter by name, image or description,
  fuzzily
- `↑` `↓` move in the list, from the filter too; `enter` chooses and moves to
  the arguments
- `tab` `shift+tab` move between the list, the choices and the preview
- `ctrl+r` (or `enter` on the preview) run, after one question
- `ctrl+t` (or `x` on the preview) the command, or each word and its origin
- `ctrl+y` (or `c` on the preview) copy the runtime command
- `ctrl+o` copy the equivalent `rkt-run` command line
- `ctrl+s` save as a wrapper script: `exec rkt-run ... "$@"`
- `ctrl+p` every action, and the themes, by name
- `esc` go back to the list; from the filter or the list, clear the filter
- `?` `F1` this help
- `ctrl+q` quit; `q` too on the preview, where nothing is typed

Arguments are split as a shell splits them: quote words that hold spaces.
Default volumes are always mounted; on-request volumes are yours to toggle.
Each variable is checked against the site's bounds as you type it.
"""


class HelpScreen(ModalScreen):
    """The keys, and what rkt-tui does with them."""

    BINDINGS = [Binding("escape,q,f1,question_mark", "dismiss", "Close")]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def compose(self):
        with VerticalScroll(classes="dialog", id="help"):
            yield Markdown(HELP)
