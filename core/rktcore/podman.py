"""The podman command line.

PODMAN <general> run <run> --rm --init --env-file F --user UID:GID
[--group-add GID...] --security-opt=no-new-privileges --http-proxy=false
[--interactive] [--tty] <--volume SRC:DST[:ro] ...> [--workdir CWD]
-- IMAGE [EXEC] [ARGS...]

The site's run options come first, so that what rkt-run always adds comes
after them and wins: podman takes the last value of a flag given twice, so a
"--rm=false" in the config cannot keep a container. podman stops reading
options at the image, and "--" before it ends them even for an image name
that looks like one, so nothing after IMAGE reaches podman.
"""

from rktcore.messages import ConfigError

# Options that change who the app runs as, or what it may do beyond the
# caller's own rights; only root may set them in the config. --cap-add is
# here because podman hands added capabilities to a non-root app as well.
IDENTITY_OPTIONS = (
    "--user",
    "--userns",
    "--uidmap",
    "--gidmap",
    "--subuidname",
    "--subgidname",
    "--privileged",
    "--group-add",
    "--security-opt",
    "--cap-add",
)
VALUELESS = ("--privileged",)
SHORT_USER = "u"
# podman run's short flags that take no value, so may precede -u in one word.
SHORT_SWITCHES = "diPqt"


def build(command, choice) -> None:
    """Append the whole podman command for a planned choice to command."""
    config = choice.config
    command.add(config.get("podman"), "podman")
    general = command.options(choice, "general")
    check_identity(choice, general)
    command.add("run", "podman subcommand")
    run_options = command.options(choice, "run")
    add_fixed_options(command, choice)
    add_identity(command, choice, run_options)
    add_streams(command, choice)
    add_volumes(command, choice)
    if config.get("preserve-cwd"):
        command.add("--workdir", "preserve-cwd")
        command.add(choice.cwd, "preserve-cwd")
    command.add("--", "end of podman options")
    command.add(choice.image, choice.image_origin)
    if choice.exec:
        command.add(choice.exec, choice.exec_origin)
    command.extend(choice.args, "your arguments")


def add_fixed_options(command, choice) -> None:
    """Append what every podman run gets, whatever the config says."""
    command.add("--rm", "always: nothing is left behind")
    command.add("--init", "always: signals reach the app, which is not PID 1")
    command.add("--env-file", "container environment")
    command.add(choice.env_file, "container environment (a private descriptor)")


def add_identity(command, choice, run_options: list[str]) -> None:
    """Make the app run as the caller, refusing a config that says otherwise."""
    caller = choice.caller
    settings = check_identity(choice, run_options)
    if "--user" not in settings:
        command.add("--user", "your identity (always)")
        command.add(f"{caller.uid}:{caller.gid}", "your identity (always)")
    if choice.config.get("supplementary-groups"):
        for gid in caller.groups:
            command.add("--group-add", "supplementary-groups")
            command.add(str(gid), "supplementary-groups")
    command.add("--security-opt=no-new-privileges",
                "always: no setuid file gives the app privilege")
    command.add("--http-proxy=false",
                "always: the environment is the plan's alone")


def add_streams(command, choice) -> None:
    """Pass stdin where asked, and a terminal where stdin is one."""
    if choice.interactive:
        command.add("--interactive", "-i (podman needs it to pass stdin)")
        if choice.tty:
            command.add("--tty", "-i, and stdin is a terminal")


def add_volumes(command, choice) -> None:
    """Append one bind mount per chosen volume, in the config's order."""
    for name, volume in choice.volumes:
        origin = f"volume.{name}"
        source = host_path(choice, name, volume, "source")
        target = host_path(choice, name, volume, "target")
        suffix = ":ro" if volume.get("read-only") else ""
        command.add("--volume", origin)
        command.add(f"{source}:{target}{suffix}", origin)


def host_path(choice, name: str, volume: dict, key: str) -> str:
    """Render a volume's source or target, refusing one podman would misread."""
    path = choice.render(volume[key])
    if not path.startswith("/") or ":" in path or "," in path:
        raise ConfigError(
            f'{choice.config.path}: volume.{name}.{key} gives "{path}", which is '
            'not an absolute path free of ":" and ","; correct the volume'
        )
    return path


def check_identity(choice, words: list[str]) -> dict[str, str]:
    """Return the config's identity settings, refusing them unless harmless."""
    caller = choice.caller
    own = {"--user": {f"{caller.uid}:{caller.gid}"},
           "--group-add": {str(gid) for gid in [caller.gid, *caller.groups]}}
    settings = {}
    for flag, value in identity_settings(words):
        if not caller.is_root and value not in own.get(flag, ()):
            shown = f"{flag}={value}" if value else flag
            raise ConfigError(
                f"{choice.config.path}: options sets {shown}, which would run the "
                f"app as someone other than you ({caller.username}) or with more "
                "rights; only root may; remove it from the options"
            )
        settings[flag] = value
    return settings


def identity_settings(words: list[str]):
    """Yield (flag, value) for each identity option among rendered words."""
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if word.startswith("--"):
            flag, equals, value = word.partition("=")
            if flag in IDENTITY_OPTIONS:
                if not equals and flag not in VALUELESS:
                    value = following
                yield flag, value
        elif word.startswith("-"):
            value = short_user(word[1:], following)
            if value is not None:
                yield "--user", value


def short_user(letters: str, following: str) -> str | None:
    """Return the value of a -u hidden in a group of short flags, or None."""
    for index, letter in enumerate(letters):
        if letter == SHORT_USER:
            rest = letters[index + 1:].removeprefix("=")
            return rest or following
        if letter not in SHORT_SWITCHES:
            return None
    return None
