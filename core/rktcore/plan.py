"""Turn (config, caller, request) into the plan: the exact runtime command.

make_plan is a pure function of its arguments. rkt-run executes its result
and rkt-tui previews it, so what the screen shows is what runs. Every word
of the command carries its origin, for --explain.
"""

import os

from rktcore.messages import Refusal, UsageError
from rktcore.template import render

ENV_FILE = "/proc/self/fd/3"


class Request:
    """What the user asked for, before any policy is applied."""

    __slots__ = ("image", "exec", "volumes", "set_env", "interactive",
                 "no_prefix", "args", "tty")

    # tty: standard input is a terminal; the caller decides, so planning stays pure.
    def __init__(self, image="", exec="", volumes=(), set_env=(),
                 interactive=False, no_prefix=False, args=(), tty=False):
        self.image = image
        self.exec = exec
        self.volumes = list(volumes)
        self.set_env = list(set_env)
        self.interactive = interactive
        self.no_prefix = no_prefix
        self.args = list(args)
        self.tty = tty


class Plan:
    """The command to execute, where each word came from, and the environment."""

    __slots__ = ("argv", "origins", "environment", "mode", "alias", "image",
                 "exec", "runtime")

    def as_dict(self) -> dict:
        """Return the plan as plain data for --json and for tools."""
        return {
            "runtime": self.runtime,
            "mode": self.mode,
            "alias": self.alias,
            "image": self.image,
            "exec": self.exec,
            "argv": list(self.argv),
            "origins": list(self.origins),
            "environment": {name: value for name, value, _ in self.environment},
            "environment_origins": {name: o for name, _, o in self.environment},
        }


class Command:
    """An argv under construction, with the origin of every word."""

    def __init__(self):
        self.words: list[str] = []
        self.origins: list[str] = []

    def add(self, word: str, origin: str) -> None:
        self.words.append(word)
        self.origins.append(origin)

    def extend(self, words, origin: str) -> None:
        for word in words:
            self.add(word, origin)

    def options(self, choice, cls: str) -> list[str]:
        """Append the config's options of one class, common then mode; return them."""
        sourced = choice.sourced_options(cls)
        for word, key in sourced:
            self.add(word, key)
        return [word for word, _ in sourced]


class Choice:
    """The request resolved against the policy: image, exec, volumes, environment."""

    def __init__(self, config, caller, request, caller_env, cwd, env_file):
        self.config = config
        self.caller = caller
        self.cwd = cwd
        self.env_file = env_file
        self.identity = caller.template_variables()
        self.interactive = request.interactive
        self.tty = request.tty
        self.mode = "interactive" if request.interactive else "batch"
        self.args = request.args
        self.alias = ""
        resolve_image(self, request)
        resolve_exec(self, request)
        self.volumes = chosen_volumes(config, request.volumes)
        self.environment = container_environment(self, request, caller_env)

    def render(self, template: str) -> str:
        return render(template, self.identity)

    def options(self, cls: str) -> list[str]:
        """Return the rendered options of one class, common then mode."""
        return [word for word, _ in self.sourced_options(cls)]

    def sourced_options(self, cls: str) -> list[tuple[str, str]]:
        """Return (rendered word, options.MODE.CLASS) for one class's options."""
        doc = self.config.doc.get("options", {})
        return [(self.render(word), f"options.{mode}.{cls}")
                for mode in ("common", self.mode)
                for word in doc.get(mode, {}).get(cls, [])]


def make_plan(config, caller, request, caller_env, cwd, env_file=ENV_FILE) -> Plan:
    """Return the plan for request, or refuse it with one line."""
    check_mode(config, request)
    check_arguments(request.args)
    choice = Choice(config, caller, request, caller_env, cwd, env_file)
    command = Command()
    runtime_module(config).build(command, choice)
    plan = Plan()
    plan.argv = command.words
    plan.origins = command.origins
    plan.environment = choice.environment
    plan.mode = choice.mode
    plan.alias = choice.alias
    plan.image = choice.image
    plan.exec = choice.exec
    plan.runtime = config.runtime
    return plan


def runtime_module(config):
    """Return the module that writes the configured runtime's command."""
    if config.runtime == "podman":
        from rktcore import podman

        return podman
    from rktcore import rkt

    return rkt


def check_mode(config, request) -> None:
    """Refuse interactive mode where the admin does not allow it."""
    if request.interactive and not config.allow("interactive"):
        raise Refusal("this site does not allow interactive runs; drop -i")


def check_arguments(args) -> None:
    """Refuse the one argument that could start a second app in rkt."""
    if "---" in args:
        raise Refusal('argument "---" would start a second app; drop it')


def resolve_image(choice, request) -> None:
    """Find the image: an alias's, or the one named, with its prefix applied."""
    word = request.image
    config = choice.config
    if not word:
        raise UsageError("no image or alias given; name one (rkt-run -l lists "
                         "the aliases)")
    check_word("image", word)
    entry = config.aliases.get(word)
    if entry is not None:
        choice.alias, choice.alias_exec = entry
        choice.image = config.doc["alias"][choice.alias]["image"]
        choice.image_origin = f"alias.{choice.alias}.image"
        return
    choice.alias_exec = ""
    if config.get("restrict-images"):
        raise Refusal(f'"{word}" is not an alias, and this site runs aliases '
                      "only; rkt-run -l lists them")
    choice.image, choice.image_origin = word, "your image"
    if not request.no_prefix:
        apply_image_prefix(choice, word)
        # A replacement may leave the rest of the word first: "x/--exec=sh"
        # with "x/" replaced by nothing must not become an option either.
        check_word("image", choice.image)
    check_image_source(choice.image)


# Image references that make a runtime read a local file or store, as root.
LOCAL_SOURCES = ("file:", "oci:", "oci-archive:", "docker-archive:", "dir:",
                 "containers-storage:", "docker-daemon:", "ostree:", "sif:",
                 "tarball:", "atomic:")


def check_image_source(image: str) -> None:
    """Refuse a user's image that names a local file the runtime would read as root."""
    if (image.startswith(("/", ".", "~")) or image.lower().startswith(LOCAL_SOURCES)
            or ".." in image.split("/")):
        raise Refusal(f'image "{image}" names a local file, which the runtime would '
                      "read as root; name an image from a registry")


def apply_image_prefix(choice, word: str) -> None:
    """Replace the longest matching auto-image-prefix at the start of word."""
    prefixes = choice.config.doc.get("auto-image-prefix", {})
    matches = [prefix for prefix in prefixes if word.startswith(prefix)]
    if matches:
        prefix = max(matches, key=len)
        choice.image = prefixes[prefix] + word[len(prefix):]
        choice.image_origin = f'your image, auto-image-prefix."{prefix}"'


def resolve_exec(choice, request) -> None:
    """Find the executable: the exec alias's, the user's, or the interactive default."""
    config = choice.config
    choice.exec, choice.exec_origin = "", ""
    if choice.alias_exec:
        if request.exec:
            raise Refusal(f'"{request.image}" already runs {choice.alias_exec}; '
                          "drop -e, or name the image alias instead")
        choice.exec = choice.alias_exec
        choice.exec_origin = f"alias.{choice.alias}.exec"
    elif request.exec:
        check_word("executable", request.exec)
        listed = choice.alias and request.exec in alias_execs(config, choice.alias)
        if not listed and not config.allow("exec"):
            raise Refusal("this site does not let you choose the executable; "
                          "use an alias (rkt-run -l lists them)")
        choice.exec = request.exec
        choice.exec_origin = "-e" + (f" (listed in alias.{choice.alias}.exec)"
                                     if listed else "")
    elif request.interactive and config.get("default-interactive-cmd"):
        choice.exec = config.get("default-interactive-cmd")
        choice.exec_origin = "default-interactive-cmd"


def alias_execs(config, alias: str) -> set[str]:
    """Return the executables an alias lists, by full path and by basename."""
    execs = config.doc["alias"][alias].get("exec", [])
    return set(execs) | {os.path.basename(exe) for exe in execs}


def check_word(what: str, word: str) -> None:
    """Refuse an image or exec that a runtime could read as an option, or none."""
    if not word:
        raise Refusal(f"the {what} is empty once its prefix is replaced; name "
                      "it in full")
    if word.startswith("-"):
        raise Refusal(f'{what} "{word}" starts with "-" and would be read as '
                      "an option; name it without the dash")
    if not word.isprintable() or " " in word:
        raise Refusal(f"{what} {word!r} contains spaces or control characters; "
                      "remove them")


def chosen_volumes(config, requested) -> list[tuple[str, dict]]:
    """Return default volumes and the requested on-request ones, in config order."""
    volumes = config.doc.get("volume", {})
    on_request = [name for name, v in volumes.items() if v.get("on-request")]
    for name in requested:
        if name not in on_request:
            offer = ", ".join(on_request) if on_request else "none here"
            raise Refusal(f'volume "{name}" is not on-request; ask for one of: '
                          f"{offer}")
    return [(name, volume) for name, volume in volumes.items()
            if not volume.get("on-request") or name in requested]


def container_environment(choice, request, caller_env) -> list[tuple[str, str, str]]:
    """Return [(name, value, origin)]: [environment], the alias's, then --set-env."""
    config = choice.config
    alias = config.doc["alias"][choice.alias] if choice.alias else {}
    variables = {**caller_env, **choice.identity}
    entries: dict[str, tuple[str, str]] = {}
    tables = [("environment", config.doc.get("environment", {}))]
    if alias:
        tables.append((f"alias.{choice.alias}.environment",
                       alias.get("environment", {})))
    for where, table in tables:
        for name, template in table.items():
            value = render_environment(template, variables, f"{where}.{name}")
            entries.pop(name, None)
            if value:
                entries[name] = (value, f"{where}.{name}")
    blacklist = alias.get("environment-blacklist", [])
    for name in blacklist:
        entries.pop(name, None)
    for setting in request.set_env:
        name, value = user_setting(config, setting, blacklist, choice.alias)
        entries.pop(name, None)
        entries[name] = (value, "--set-env")
    return [(name, value, origin) for name, (value, origin) in entries.items()]


def render_environment(template: str, variables: dict, where: str) -> str:
    """Render an environment template, refusing values that would break the file."""
    value = render(template, variables)
    if "\n" in value or "\r" in value or "\0" in value:
        raise Refusal(f"{where} would contain a line break from your environment; "
                      "remove it from the variable it uses")
    return value


def user_setting(config, setting: str, blacklist, alias: str) -> tuple[str, str]:
    """Check one --set-env NAME=VALUE against the admin's bounds."""
    name, equals, value = setting.partition("=")
    if not equals:
        raise UsageError(f'--set-env "{setting}" has no "="; write NAME=VALUE')
    if not (name.isidentifier() and name.isascii()):
        raise Refusal(f'--set-env name "{name}" is not a variable name; use '
                      "letters, digits and _")
    if "\n" in value or "\r" in value or "\0" in value:
        raise Refusal(f"--set-env {name} contains a line break; remove it")
    if name in blacklist:
        raise Refusal(f"alias {alias} does not let you set {name}; leave it out")
    if not set_env_allowed(config.allow("set-env"), name):
        raise Refusal(f"this site does not let you set {name}; "
                      + set_env_offer(config.allow("set-env")))
    return name, value


def set_env_allowed(bound, name: str) -> bool:
    """Say whether [allow] set-env (true, false or patterns) admits name."""
    if isinstance(bound, bool):
        return bound
    return any(name.startswith(p[:-1]) if p.endswith("*") else name == p
               for p in bound)


def set_env_offer(bound) -> str:
    """Say what a user may set instead."""
    if bound is False or not bound:
        return "drop --set-env"
    return "you may set: " + ", ".join(bound)
