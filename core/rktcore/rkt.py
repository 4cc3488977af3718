"""The rkt command line, in rktrunner's order.

RKT <general> run [--interactive] --set-env-file F <run> <--volume ...>
IMAGE <--mount ...> <image> [--exec EXEC] [-- ARGS]
"""

from rktcore.config import CLASSES
from rktcore.messages import ConfigError

IDENTITY_OPTIONS = ("--user", "--group", "--supplementary-gids")


def build(command, choice) -> None:
    """Append the whole rkt command for a planned choice to command."""
    config = choice.config
    check_identity(choice)
    command.add(config.get("rkt"), "rkt")
    command.options(choice, "general")
    command.add("run", "rkt subcommand")
    run_options = choice.options("run")
    if choice.interactive and "--interactive" not in run_options:
        command.add("--interactive", "-i (rkt needs it to pass stdin)")
    command.add("--set-env-file", "container environment")
    command.add(choice.env_file, "container environment (a private descriptor)")
    command.options(choice, "run")
    for name, volume in choice.volumes:
        origin = f"volume.{name}"
        command.add("--volume", origin)
        command.add(f"{name},{host_volume(config, volume_text(choice, volume))}",
                    origin)
    command.add(choice.image, choice.image_origin)
    for name, volume in choice.volumes:
        if "mount" in volume or "target" in volume:
            origin = f"volume.{name}"
            command.add("--mount", origin)
            command.add(f"volume={name},{mount_text(choice, volume)}", origin)
    image_options = command.options(choice, "image")
    add_identity(command, choice, image_options)
    if config.get("preserve-cwd"):
        command.add(f"--working-dir={choice.cwd}", "preserve-cwd")
    if choice.exec:
        command.add("--exec", choice.exec_origin)
        command.add(choice.exec, choice.exec_origin)
        command.add("--", "end of rkt options")
    elif choice.args:
        command.add("--", "end of rkt options")
    command.extend(choice.args, "your arguments")


def volume_text(choice, volume: dict) -> str:
    """Return rkt's volume string: the raw one, or a host volume from source."""
    if "volume" in volume:
        return choice.render(volume["volume"])
    text = f"kind=host,source={choice.render(volume['source'])}"
    return text + (",readOnly=true" if volume.get("read-only") else "")


def mount_text(choice, volume: dict) -> str:
    """Return rkt's mount string: the raw one, or a target from the structured form."""
    if "target" in volume:
        return f"target={choice.render(volume['target'])}"
    return choice.render(volume["mount"])


def host_volume(config, volume: str) -> str:
    """Add recursive=true to host volumes where the config asks for it."""
    if config.get("recursive-mounts") and "kind=host" in volume.split(","):
        return volume + ",recursive=true"
    return volume


def check_identity(choice) -> None:
    """Refuse options of any class that would run the app as someone else."""
    caller = choice.caller
    if caller.is_root:
        return
    own = {"--user": str(caller.uid), "--group": str(caller.gid)}
    for cls in CLASSES:
        sourced = choice.sourced_options(cls)
        words = [word for word, _ in sourced]
        for index, flag, value in identity_settings(words):
            if own.get(flag) != value:
                refuse_identity(choice, sourced[index][1], flag, value)


def refuse_identity(choice, key: str, flag: str, value: str):
    """Raise the refusal for an identity option that names someone else."""
    fix = ("set supplementary-groups = true instead" if flag == "--supplementary-gids"
           else "use {{.Uid}} and {{.Gid}}")
    shown = f"{flag}={value}" if value else flag
    raise ConfigError(
        f"{choice.config.path}: {key} sets {shown}, which would run the app "
        f"as someone other than you ({choice.caller.username}); only root may; "
        + fix
    )


def add_identity(command, choice, image_options: list[str]) -> None:
    """Make the app run as the caller where the config's image options do not say."""
    caller = choice.caller
    wanted = {"--user": str(caller.uid), "--group": str(caller.gid)}
    for _, flag, _ in identity_settings(image_options):
        wanted.pop(flag, None)
    for flag, value in wanted.items():
        command.add(f"{flag}={value}", "your identity (always)")
    if choice.config.get("supplementary-groups") and caller.groups:
        gids = ",".join(str(gid) for gid in caller.groups)
        command.add(f"--supplementary-gids={gids}", "supplementary-groups")


def identity_settings(words: list[str]):
    """Yield (index, flag, value) for each identity option among rendered words."""
    for index, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if flag not in IDENTITY_OPTIONS:
            continue
        if not equals:
            value = words[index + 1] if index + 1 < len(words) else ""
        yield index, flag, value
