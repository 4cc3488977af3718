"""Read the site's config: rktrunner's TOML, plus rkttui's bounds.

A config is checked whole (rktcore.rules) before anything uses it, so that
every later step can trust its shape. A run served from the cache gets a
config checked when the cache was written, and never loads the rules.
"""

from rktcore.messages import ConfigError

DEFAULT_PATH = "/etc/rktrunner.toml"
MODES = ("common", "batch", "interactive")
CLASSES = ("general", "fetch", "run", "image")
RUNTIMES = ("rkt", "podman")


class Config:
    """A checked config: its path, its TOML document and its alias index."""

    __slots__ = ("path", "doc", "aliases")

    def __init__(self, path: str, doc: dict, aliases: dict):
        self.path = path
        self.doc = doc
        # Every alias name and exec basename -> (alias, exec).
        self.aliases = aliases

    def get(self, key: str, default=None):
        """Return a top-level key's value."""
        return self.doc.get(key, default)

    def allow(self, key: str):
        """Return a bound from [allow], defaulting to rktrunner's behaviour."""
        return self.doc.get("allow", {}).get(key, True)

    @property
    def runtime(self) -> str:
        return self.doc.get("runtime", "rkt")


def load(path: str) -> Config:
    """Read, parse and check the config at path with the current privileges."""
    return parse(path, read_bytes(path))


def read_bytes(path: str) -> bytes:
    """Read the config file, turning OS errors into one line."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        raise ConfigError(f"config {path} does not exist; ask your admin, or name "
                          "another with --config") from None
    except OSError as error:
        reason = (error.strerror or "unreadable").lower()
        raise ConfigError(f"cannot read config {path}: {reason}") from None


def parse(path: str, content: bytes) -> Config:
    """Parse TOML content and check it; path is used only in messages."""
    import tomli

    try:
        doc = tomli.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text; save it as UTF-8") from None
    except tomli.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}; fix the syntax") from None
    except RecursionError:
        raise ConfigError(f"{path}: arrays or inline tables nest too deeply to "
                          "read; flatten them") from None
    from rktcore import rules

    rules.check(path, doc)
    return Config(path, doc, rules.alias_index(path, doc))
