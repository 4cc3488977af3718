"""The live preview: the runtime command rkt-run would execute, word by word.

Each word is coloured by where it came from (the runtime, the site's options,
a volume, the image, the executable, your arguments); the explained view puts
the origin beside every word, as `rkt-run --explain` does.
"""

from rktcore.options import argv_for
from rktcore.preview import command_line, quote
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive

from rkttui.widgets.plain import Plain

ORIGIN_WIDTH = 40
RUNTIMES = ("rkt", "podman")


def word_class(origin: str) -> str:
    """Return the kind of word an origin describes, which picks its colour."""
    if origin in RUNTIMES:
        return "runtime"
    if own_word(origin):
        return "structure"
    if origin.startswith("container environment"):
        return "environment"
    if origin.startswith("volume."):
        return "volume"
    if origin.endswith(".image") or origin.startswith("your image"):
        return "image"
    if origin == "your arguments":
        return "arguments"
    if origin.startswith(("your identity", "supplementary-groups")):
        return "identity"
    if ".exec" in origin or origin.startswith("-e") or origin.endswith("-cmd"):
        return "exec"
    return "option"


def own_word(origin: str) -> bool:
    """Say whether rkt-run adds the word itself, whatever the config says.

    These are the subcommand, the end of the runtime's options, what every run
    gets ("always: ..."), and what -i needs.
    """
    return (origin.endswith(" subcommand") or origin.startswith("end of ")
            or origin.startswith(("always", "-i ", "-i,")))


WORD_CLASSES = ("runtime", "structure", "environment", "volume", "image",
                "arguments", "identity", "exec", "option")


class CommandPreview(Vertical, can_focus=True):
    """The planned command, or the one line that refuses it, and its rkt-run form."""

    COMPONENT_CLASSES = {f"command-preview--{name}" for name in WORD_CLASSES} | {
        "command-preview--origin",
        "command-preview--problem",
    }
    BINDINGS = [
        Binding("enter", "screen.run", "Run"),
        Binding("c", "screen.copy_command", "Copy command"),
        Binding("x", "screen.toggle_explained", "Explain"),
        # Nothing is typed here, so q may quit as in other terminal programs.
        Binding("q", "app.quit", "Quit"),
    ]

    outcome = reactive(None, always_update=True)
    explained = reactive(False)

    def __init__(self, config_arg: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config_arg = config_arg

    def compose(self):
        yield Plain(id="preview-title")
        yield Plain(id="preview-command")
        yield Plain(id="preview-handoff")

    def watch_outcome(self) -> None:
        self.show_outcome()

    def watch_explained(self) -> None:
        self.show_outcome()

    @property
    def command_text(self) -> str:
        """Return the runtime command, shell-quoted, or "" without a plan."""
        plan = self.outcome.plan if self.outcome else None
        return command_line(plan.argv) if plan else ""

    @property
    def handoff_text(self) -> str:
        """Return the equivalent rkt-run command line, or "" without a request."""
        request = self.outcome.request if self.outcome else None
        if request is None or not self.outcome.runnable:
            return ""
        return command_line(["rkt-run", *argv_for(request, self.config_arg)])

    def show_outcome(self) -> None:
        """Draw the title, the command or the refusal, and the rkt-run line."""
        if not self.is_mounted:
            return
        outcome = self.outcome
        title = self.query_one("#preview-title", Plain)
        body = self.query_one("#preview-command", Plain)
        handoff = self.query_one("#preview-handoff", Plain)
        if outcome is None or not outcome.runnable:
            problem = outcome.problem if outcome else "choose something to run"
            title.show("Nothing to run yet")
            body.show(Content.styled(f"✗ {problem}", self.style_of("problem")))
            handoff.show("")
            return
        if self.explained:
            title.show("Explained: each word and where it comes from  "
                       "(ctrl+t: command)")
            body.show(self.explanation(outcome.plan))
        else:
            title.show("The command rkt-run will execute  (ctrl+t: explain)")
            body.show(self.highlighted(outcome.plan))
        handoff.show(Content.assemble(("same as  ", self.style_of("origin")),
                                        self.handoff_text))

    def style_of(self, name: str):
        # Whole styles, not partial ones: "auto" colours such as $text-muted
        # need the background to resolve against.
        return self.get_visual_style(f"command-preview--{name}")

    def highlighted(self, plan) -> Content:
        """Return the command, shell-quoted, each word styled by its origin."""
        command = Content(" ").join(
            Content.styled(quote(word), self.style_of(word_class(origin)))
            for word, origin in zip(plan.argv, plan.origins))
        names = " ".join(name for name, _, _ in plan.environment)
        if not names:
            return command
        note = Content.styled(f"environment, through a private file: {names}",
                              self.style_of("origin"))
        return Content("\n").join([command, note])

    def explanation(self, plan) -> Content:
        """Return each word beside its origin, then the container environment."""
        quoted = [quote(word) for word in plan.argv]
        width = min(max(map(len, quoted), default=0), ORIGIN_WIDTH)
        lines = []
        for word, origin in zip(quoted, plan.origins):
            lines.append(Content.assemble(
                (word.ljust(width), self.style_of(word_class(origin))),
                ("  ← " + origin, self.style_of("origin"))))
        if plan.environment:
            lines.append(Content("container environment, through a private file:"))
            pairs = [f"{name}={quote(value)}" for name, value, _ in plan.environment]
            width = min(max(map(len, pairs)), ORIGIN_WIDTH)
            for pair, (_, _, origin) in zip(pairs, plan.environment):
                lines.append(Content.assemble(
                    (pair.ljust(width), self.style_of("environment")),
                    ("  ← " + origin, self.style_of("origin"))))
        return Content("\n").join(lines)
