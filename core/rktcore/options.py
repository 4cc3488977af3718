"""Read rkt-run's command line: rktrunner's options, plus rkttui's own.

Options end at the first word that is not one (the image or alias), as in
rktrunner, so everything after it belongs to the container. A hand-written
reader, because argparse alone costs more to import than a whole dry run.
"""

from rktcore.messages import UsageError
from rktcore.plan import Request

# option -> attribute; flags take no value, the others take one.
FLAGS = {
    "--print-env": "print_env",
    "-i": "interactive",
    "--interactive": "interactive",
    "-v": "verbose",
    "--verbose": "verbose",
    "--dry-run": "dry_run",
    "-l": "list_alias",
    "--list-alias": "list_alias",
    "-n": "no_prefix",
    "--no-image-prefix": "no_prefix",
    "--explain": "explain",
    "--json": "json",
    "--list-images": "list_images",
    "--version": "version",
    "-h": "help",
    "--help": "help",
}
VALUED = {
    "--config": "config",
    "-e": "exec",
    "--exec": "exec",
    "--volume": "volumes",
    "--set-env": "set_env",
}
REPEATED = ("volumes", "set_env")


class Options:
    """Everything on rkt-run's command line."""

    def __init__(self):
        for attribute in FLAGS.values():
            setattr(self, attribute, False)
        self.config = ""
        self.exec = ""
        self.volumes: list[str] = []
        self.set_env: list[str] = []
        self.image = ""
        self.args: list[str] = []

    @property
    def prints_only(self) -> bool:
        """Say whether this invocation only prints and never runs a container."""
        return self.dry_run or self.explain or self.json or self.list_alias

    def request(self) -> Request:
        """Return the part of the options that the plan depends on."""
        return Request(self.image, self.exec, self.volumes, self.set_env,
                       self.interactive, self.no_prefix, self.args)


def parse(argv: list[str]) -> Options:
    """Return the options of argv, refusing unknown or incomplete ones."""
    options = Options()
    words = list(argv)
    while words and words[0].startswith("-") and words[0] != "-":
        word = words.pop(0)
        if word == "--":
            break
        name, equals, value = word.partition("=")
        if name in VALUED and name.startswith("--"):
            if not equals:
                value = take_value(name, words)
            store(options, name, value)
        elif word in FLAGS:
            setattr(options, FLAGS[word], True)
        elif word[:2] == "-e":
            store(options, "-e", word[2:] or take_value("-e", words))
        elif not word.startswith("--") and all("-" + c in FLAGS for c in word[1:]):
            for letter in word[1:]:
                setattr(options, FLAGS["-" + letter], True)
        elif word[:2] != "--" and word[-1] == "e" and all(
                "-" + c in FLAGS for c in word[1:-1]):
            for letter in word[1:-1]:
                setattr(options, FLAGS["-" + letter], True)
            store(options, "-e", take_value("-e", words))
        else:
            raise UsageError(f'unknown option "{name}"; rkt-run --help lists them')
    if words:
        options.image = words[0]
        options.args = words[1:]
    return options


def take_value(name: str, words: list[str]) -> str:
    """Remove and return the value that follows an option."""
    if not words:
        raise UsageError(f"{name} needs a value; see rkt-run --help")
    return words.pop(0)


def store(options: Options, name: str, value: str) -> None:
    """Set the value of option name, appending for the ones that repeat."""
    if not value:
        raise UsageError(f"{name} needs a value, not an empty one; see rkt-run --help")
    attribute = VALUED[name]
    if attribute in REPEATED:
        getattr(options, attribute).append(value)
    else:
        setattr(options, attribute, value)


HELP = """\
usage: rkt-run [options] IMAGE|ALIAS [ARGS...]

Run a containerised tool as yourself, within the limits your site's admin set
in /etc/rktrunner.toml. ARGS always reach the container, never the runtime.

options:
  -e, --exec EXEC        run EXEC in the image instead of its default
  --volume NAME          mount an on-request volume (repeatable)
  --set-env NAME=VALUE   set a variable in the container (repeatable)
  -i, --interactive      run interactively, with a shell by default
  -n, --no-image-prefix  use IMAGE exactly as given
  -l, --list-alias       list the aliases and exit
  --list-images          list the images the runtime has pulled (with --json)
  -v, --verbose          print the runtime command, shell-quoted, on stderr
  --print-env            print the container environment on stderr
  --dry-run              check and print, but run nothing
  --explain              print each word of the command with its origin
  --json                 print the plan as JSON for tools
  --config FILE          another config: for root, or with --dry-run
  --version              print the version
  -h, --help             print this help
"""


def argv_for(request: Request, config: str = "") -> list[str]:
    """Return rkt-run's options and words that make exactly this request."""
    argv = ["--config", config] if config else []
    if request.exec:
        argv += ["--exec", request.exec]
    for volume in request.volumes:
        argv += ["--volume", volume]
    for setting in request.set_env:
        argv += ["--set-env", setting]
    if request.interactive:
        argv.append("--interactive")
    if request.no_prefix:
        argv.append("--no-image-prefix")
    return argv + ["--", request.image, *request.args]
