"""List the images the runtime has pulled."""

import subprocess

from rktcore import privilege
from rktcore.execute import RUNTIME_ENVIRONMENT
from rktcore.messages import Exit, Refusal


def pulled_images(config) -> list[dict]:
    """Return [{name, id, size, import_time, last_used_time}] from the runtime."""
    import json

    if config.runtime == "podman":
        argv = [config.get("podman"), "images", "--format", "json"]
    else:
        argv = [config.get("rkt"), "image", "list", "--format=json"]
    with privilege.raised():
        answer = ask_runtime(argv)
    try:
        images = json.loads(answer) or []
    except ValueError:
        raise Refusal(f"{argv[0]} gave an image list that is not JSON; ask your "
                      "admin to check the runtime", Exit.UNAVAILABLE) from None
    images = [image for image in images if isinstance(image, dict)]
    if config.runtime == "podman":
        images = from_podman(images)
    return restrict(config, images)


def from_podman(images: list[dict]) -> list[dict]:
    """Give podman's images rkt's shape, once per name.

    podman prints one object per tag, each listing every name of the image;
    a dangling image has no Names, and nobody can run it by name, so it is
    left out. podman does not record when an image was last used.
    """
    listed, seen = [], set()
    for image in images:
        created = image.get("Created")
        seconds = created if isinstance(created, int) else 0
        for name in image.get("Names") or ():
            key = (image.get("Id", ""), name)
            if key in seen:
                continue
            seen.add(key)
            listed.append({"id": key[0], "name": name,
                           "size": image.get("Size", 0),
                           "import_time": seconds * 1_000_000_000,
                           "last_used_time": 0})
    return listed


def ask_runtime(argv: list[str]) -> str:
    """Run a runtime query as root in every id, with a clean environment.

    As for a run, the runtime gets no trace of the caller: not the real uid
    (which some runtimes read to choose their storage), not the groups.
    """
    try:
        done = subprocess.run(argv, capture_output=True, text=True,
                              env=RUNTIME_ENVIRONMENT, stdin=subprocess.DEVNULL,
                              timeout=60, user=0, group=0, extra_groups=[],
                              cwd="/")
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Refusal(f"cannot list images with {argv[0]}: {error}; ask your admin "
                      "to check the runtime", Exit.UNAVAILABLE) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise Refusal(f"{argv[0]} could not list images ({last}); ask your admin "
                      "to check the runtime", Exit.UNAVAILABLE)
    return done.stdout


def restrict(config, images: list[dict]) -> list[dict]:
    """Keep only images that aliases name, where the site runs aliases only."""
    if not config.get("restrict-images"):
        return images
    named = {canonical(alias["image"])
             for alias in config.doc.get("alias", {}).values()}
    return [image for image in images
            if canonical(str(image.get("name", ""))) in named]


DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")


def canonical(reference: str) -> str:
    """Return an image reference in one spelling: registry/path:tag.

    An alias may say "docker://julia" where the runtime lists
    "registry-1.docker.io/library/julia:latest"; both mean the same image.
    """
    name = reference.removeprefix("docker://")
    first, slash, rest = name.partition("/")
    if not slash or ("." not in first and ":" not in first and first != "localhost"):
        first, rest = "docker.io", name
    if first in DOCKER_HUB:
        first = "docker.io"
        if "/" not in rest:
            rest = "library/" + rest
    if "@" not in rest and ":" not in rest.rsplit("/", 1)[-1]:
        rest += ":latest"
    return f"{first}/{rest}"


def listing(images: list[dict]) -> list[str]:
    """Return one line per image: name, size and id."""
    return [f"{image.get('name', '?')}  {human_size(image.get('size', 0))}  "
            f"{image.get('id', '')}" for image in images]


def human_size(size) -> str:
    """Return a byte count the way people read it."""
    size = float(size or 0)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
