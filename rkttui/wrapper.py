"""Save a choice as a wrapper script: `exec rkt-run ... "$@"` in a file.

rktrunner's users wrote such scripts by hand; here they are rendered from a
template, every word shell-quoted, and written whole or not at all.
"""

import os
import tempfile
from pathlib import Path

from rktcore.messages import Refusal
from rktcore.preview import command_line

TEMPLATES = Path(__file__).parent / "templates"
MODE = 0o755


class ScriptExists(Exception):
    """The chosen path holds a file already; overwrite only when confirmed."""


def oneline(text: str) -> str:
    """Keep a comment on one line, whatever the config's description holds."""
    return " ".join(str(text).split())


def script_text(name: str, description: str, argv: list[str]) -> str:
    """Return the wrapper script that runs rkt-run with argv, then "$@"."""
    import jinja2  # only when saving: it costs start-up time otherwise

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # a shell script, quoted word by word below
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    environment.filters["oneline"] = oneline
    template = environment.get_template("wrapper.sh.j2")
    return template.render(name=name, description=description,
                           command=command_line(["rkt-run", *argv]))


def save_script(path: Path, text: str, overwrite: bool = False) -> None:
    """Write text to path with mode 0755, atomically; refuse with one line."""
    if path.is_dir():
        raise Refusal(f"{path} is a directory; name a file in it")
    if path.exists() and not overwrite:
        raise ScriptExists(str(path))
    try:
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise Refusal(f"cannot write {path}: {reason(error)}; choose a directory "
                      "you can write to") from None
    try:
        with os.fdopen(handle, "w") as script:
            script.write(text)
            os.fchmod(script.fileno(), MODE)
        os.replace(partial, path)
    except OSError as error:
        os.unlink(partial)
        raise Refusal(f"cannot write {path}: {reason(error)}") from None


def reason(error: OSError) -> str:
    """Return an OS error's reason in lower case, without its errno."""
    return (error.strerror or type(error).__name__).lower()
