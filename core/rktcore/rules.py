"""The rules a site's config must obey, each refusal naming the file and key.

Every key of rktrunner keeps its meaning; rkttui adds the [allow] bounds, a
description per alias, podman and structured volumes. An unknown key is an
error, never ignored, so that a misspelt bound cannot silently loosen policy.
"""

import os

from rktcore.config import CLASSES, MODES, RUNTIMES
from rktcore.messages import ConfigError
from rktcore.template import IDENTITY_VARIABLES, one_line, variable_names

# key -> expected type; "table" entries are checked by their own function.
TOP_KEYS = {
    "runtime": str,
    "rkt": str,
    "podman": str,
    "default-interactive-cmd": str,
    "preserve-cwd": bool,
    "restrict-images": bool,
    "supplementary-groups": bool,
    "audit-log": str,
    # rktrunner's helper-process keys: accepted, and not needed here.
    "attach-stdio": bool,
    "use-path": bool,
    "exec-slave-dir": str,
    "recursive-mounts": bool,
    "environment": "table",
    "options": "table",
    "auto-image-prefix": "table",
    "volume": "table",
    "alias": "table",
    "allow": "table",
}
# A volume is rktrunner's raw rkt strings (volume, mount) or, for any
# runtime, a structured host path (source, target, read-only).
VOLUME_KEYS = {
    "volume": str,
    "mount": str,
    "source": str,
    "target": str,
    "read-only": bool,
    "on-request": bool,
}
PATH_KEYS = ("source", "target")
ALIAS_KEYS = {
    "image": str,
    "exec": list,
    "description": str,
    "environment": dict,
    "environment-blacklist": list,
}
ALLOW_KEYS = {"exec": bool, "set-env": (bool, list), "interactive": bool}
# Paths that root opens or executes after leaving the caller's directory.
ABSOLUTE_KEYS = {
    "rkt": "/usr/bin/rkt",
    "podman": "/usr/bin/podman",
    "audit-log": "/var/log/rkt-run.log",
}
# Top-level strings used as they are written; only tables hold templates.
UNRENDERED_KEYS = ("rkt", "podman", "audit-log", "default-interactive-cmd")
TYPE_NAMES = {str: "a string", bool: "true or false", list: "a list", dict: "a table"}


def check(path: str, doc: dict) -> None:
    """Refuse a document that is not a valid config, naming the key."""
    check_keys(path, "", doc, TOP_KEYS)
    runtime = doc.get("runtime", "rkt")
    if runtime not in RUNTIMES:
        fail(path, "runtime", f'"{runtime}" is not a runtime; use one of: '
             + ", ".join(RUNTIMES))
    if runtime not in doc:
        fail(path, runtime, "is missing; give the runtime's absolute path")
    check_absolute_paths(path, doc)
    for key in UNRENDERED_KEYS:
        check_unrendered(path, key, doc.get(key, ""))
    check_environment(path, "environment", doc.get("environment", {}))
    check_options(path, doc.get("options", {}))
    check_prefixes(path, doc.get("auto-image-prefix", {}))
    check_volumes(path, doc.get("volume", {}))
    check_aliases(path, doc.get("alias", {}))
    check_allow(path, doc.get("allow", {}))
    if runtime == "podman":
        check_podman(path, doc)


def fail(path: str, key: str, problem: str):
    """Raise the one-line refusal for key in the config at path."""
    raise ConfigError(one_line(f"{path}: {key} {problem}"))


def check_keys(path: str, prefix: str, table: dict, known: dict) -> None:
    """Refuse unknown keys and values of the wrong type in one table."""
    for key, value in table.items():
        where = prefix + key
        expected = known.get(key)
        if expected is None:
            fail(path, where, "is not a known key; remove it or correct its spelling")
        if expected == "table":
            expected = dict
        if not isinstance(value, expected):
            kinds = expected if isinstance(expected, tuple) else (expected,)
            wanted = " or ".join(TYPE_NAMES[kind] for kind in kinds)
            fail(path, where, f"must be {wanted}")


def check_absolute_paths(path: str, doc: dict) -> None:
    """Refuse a runtime or audit log given as a relative or empty path."""
    for key, example in ABSOLUTE_KEYS.items():
        if key in doc and not doc[key].startswith("/"):
            fail(path, key, f'must be an absolute path, not "{doc[key]}"; write '
                 f"it in full, e.g. {example}")


def check_string_list(path: str, where: str, value) -> None:
    """Refuse a list with anything but strings in it."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(path, where, "must be a list of strings")


def check_string_table(path: str, where: str, table: dict) -> None:
    """Refuse a table whose values are not all strings."""
    for key, value in table.items():
        if not isinstance(value, str):
            fail(path, f"{where}.{key}", "must be a string")


def check_unrendered(path: str, where: str, text: str) -> None:
    """Refuse a template where none is ever expanded, instead of keeping it as text."""
    if "{{" in text:
        fail(path, where, 'contains "{{", but templates are expanded only in '
             "options, volumes and environment tables; write the value out")


def table_key(table: str, name: str) -> str:
    """Return how TOML names the key name of table, quoted where it must be."""
    if name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        return f"{table}.{name}"
    return f'{table}."{name}"'


def check_identity_template(path: str, where: str, text: str) -> None:
    """Allow only the caller's identity in templates outside environment tables."""
    for name in variable_names(text, f"{path}: {where}"):
        if name not in IDENTITY_VARIABLES:
            fail(path, where, f'uses "{{{{.{name}}}}}", but only '
                 + ", ".join(IDENTITY_VARIABLES) + " may be used outside "
                 "environment tables; move it to [environment]")


def check_environment(path: str, where: str, table: dict) -> None:
    """Check an environment table: identifier names, string templates."""
    check_string_table(path, where, table)
    for name, value in table.items():
        if not (name.isidentifier() and name.isascii()):
            fail(path, f"{where}.{name}", "is not a valid variable name; use "
                 "letters, digits and _")
        variable_names(value, f"{path}: {where}.{name}")


def check_options(path: str, options: dict) -> None:
    """Check [options.MODE] tables of CLASS lists."""
    adopt_flat_options(path, options)
    for mode, classes in options.items():
        if mode not in MODES:
            fail(path, f"options.{mode}", "is not a mode; use one of: "
                 + ", ".join(MODES))
        if not isinstance(classes, dict):
            fail(path, f"options.{mode}", "must be a table")
        for cls, words in classes.items():
            where = f"options.{mode}.{cls}"
            if cls not in CLASSES:
                fail(path, where, "is not an option class; use one of: "
                     + ", ".join(CLASSES))
            check_string_list(path, where, words)
            for word in words:
                check_identity_template(path, where, word)


def adopt_flat_options(path: str, options: dict) -> None:
    """Read rktrunner's first form, [options] with class lists, as [options.common]."""
    flat = [key for key in options if key in CLASSES]
    if not flat:
        return
    if "common" in options:
        fail(path, f"options.{flat[0]}", "and [options.common] are both set; move "
             f"{flat[0]} into [options.common]")
    options["common"] = {cls: options.pop(cls) for cls in flat}


def check_volumes(path: str, volumes: dict) -> None:
    """Check [volume.NAME] tables."""
    for name, volume in volumes.items():
        where = f"volume.{name}"
        if not is_volume_name(name):
            fail(path, f'volume."{name}"', "is not a name rkt accepts; use "
                 "lower-case letters and digits, with single dashes between them "
                 "(volume-config)")
        if not isinstance(volume, dict):
            fail(path, where, "must be a table")
        check_keys(path, where + ".", volume, VOLUME_KEYS)
        check_volume_form(path, where, volume)
        for key in ("volume", "mount", *PATH_KEYS):
            check_identity_template(path, f"{where}.{key}", volume.get(key, ""))
        for key in PATH_KEYS:
            if key in volume:
                check_volume_path(path, f"{where}.{key}", volume[key])


def is_volume_name(name: str) -> bool:
    """Say whether name has rkt's form: a-z and 0-9, joined by single dashes."""
    return all(part.isascii() and part.isalnum() and part == part.lower()
               for part in name.split("-"))


def check_volume_form(path: str, where: str, volume: dict) -> None:
    """Refuse a volume that is neither rkt's raw form nor source and target."""
    structured = [key for key in PATH_KEYS if key in volume]
    raw = [key for key in ("volume", "mount") if key in volume]
    if structured and raw:
        fail(path, where, f'mixes "{raw[0]}" with "{structured[0]}"; use either '
             '"volume" (and "mount") or "source" and "target"')
    if "volume" not in volume and len(structured) != 2:
        fail(path, where, 'needs a "volume" key, or "source" and "target"')
    if "read-only" in volume and not structured:
        fail(path, f"{where}.read-only", 'goes with "source" and "target"; in '
             'rkt\'s form write readOnly=true in "volume"')


def check_volume_path(path: str, where: str, text: str) -> None:
    """Refuse a source or target that is not absolute or would split the option."""
    if not text.startswith(("/", "{{")):
        fail(path, where, "must be an absolute path")
    for mark in (":", ","):
        if mark in text:
            fail(path, where, f'must not contain "{mark}", which would split '
                 "the runtime's volume option")


def check_prefixes(path: str, prefixes: dict) -> None:
    """Check [auto-image-prefix]: plain strings on both sides of each entry."""
    check_string_table(path, "auto-image-prefix", prefixes)
    for prefix, replacement in prefixes.items():
        where = table_key("auto-image-prefix", prefix)
        check_unrendered(path, where, prefix)
        check_unrendered(path, where, replacement)
        if replacement.startswith("-"):
            fail(path, where, f'replacement "{replacement}" starts with "-" and '
                 "would make every image it prefixes an option; write the "
                 "registry it stands for")


def check_podman(path: str, doc: dict) -> None:
    """Refuse what a podman command has no place for: image options, rkt volumes."""
    for mode, classes in doc.get("options", {}).items():
        if "image" in classes:
            fail(path, f"options.{mode}.image", "has no place in a podman command; "
                 "move these options to run")
        for cls, words in classes.items():
            if any(word.split("=")[0] == "--env-host" for word in words):
                fail(path, f"options.{mode}.{cls}", "sets --env-host, which would "
                     "give the app the runtime's own environment; set variables "
                     "in [environment] instead")
    for name, volume in doc.get("volume", {}).items():
        if "volume" in volume:
            fail(path, f"volume.{name}.volume", 'is rkt\'s form; give podman '
                 '"source" and "target" instead')


def check_aliases(path: str, aliases: dict) -> None:
    """Check [alias.NAME] tables."""
    for name, alias in aliases.items():
        where = f"alias.{name}"
        if not isinstance(alias, dict):
            fail(path, where, "must be a table")
        check_keys(path, where + ".", alias, ALIAS_KEYS)
        check_alias_name(path, name)
        check_alias_image(path, where, alias)
        check_execs(path, where, alias)
        check_description(path, where, alias)
        check_string_list(path, f"{where}.environment-blacklist",
                          alias.get("environment-blacklist", []))
        check_environment(path, f"{where}.environment", alias.get("environment", {}))


def name_problem(name: str) -> str:
    """Say why no one could type name as the alias word of rkt-run, or return ""."""
    if not name:
        return "is empty"
    if name.startswith("-"):
        return 'starts with "-", which rkt-run would read as an option'
    if " " in name or not name.isprintable():
        return "contains spaces or control characters"
    return ""


def check_alias_name(path: str, name: str) -> None:
    """Refuse an alias name that no one could type, or that holds a template."""
    problem = name_problem(name)
    if problem:
        fail(path, f'alias."{name}"', f"is a name no one can run, as it {problem}; "
             "rename the alias")
    check_unrendered(path, table_key("alias", name), name)


def check_alias_image(path: str, where: str, alias: dict) -> None:
    """Refuse an alias without an image, or with one a runtime could misread."""
    if not alias.get("image"):
        fail(path, where, 'needs an "image"')
    if alias["image"].startswith("-"):
        fail(path, f"{where}.image", 'must not start with "-"')
    check_unrendered(path, f"{where}.image", alias["image"])


def check_execs(path: str, where: str, alias: dict) -> None:
    """Refuse exec entries that are empty, look like options or hold templates."""
    check_string_list(path, f"{where}.exec", alias.get("exec", []))
    for exe in alias.get("exec", []):
        if not exe or exe.startswith("-") or not exe.isprintable():
            fail(path, f"{where}.exec", "entries must be non-empty, free of control "
                 'characters and not start with "-"')
        problem = name_problem(os.path.basename(exe))
        if problem:
            fail(path, f"{where}.exec", f'entry "{exe}" gives an alias no one can '
                 f"run, as its file name {problem}; list the executable by a file "
                 "name that can be typed as one word")
        check_unrendered(path, f"{where}.exec", exe)


def check_description(path: str, where: str, alias: dict) -> None:
    """Refuse a description that would not print as part of one line."""
    if not all(is_text(c) for c in alias.get("description", "")):
        fail(path, f"{where}.description", "contains a line break or another "
             "control character, which would break the one line per alias of "
             "rkt-run -l; keep it to plain text on one line")


def is_text(char: str) -> bool:
    """Say whether char prints in a line: not a control, a format mark or a break."""
    if char.isprintable():
        return True
    return char.isspace() and char >= "\xa0" and char not in "\u2028\u2029"


def check_allow(path: str, allow: dict) -> None:
    """Check the [allow] bounds on what users may choose."""
    check_keys(path, "allow.", allow, ALLOW_KEYS)
    set_env = allow.get("set-env", True)
    if isinstance(set_env, list):
        check_string_list(path, "allow.set-env", set_env)
        for pattern in set_env:
            if not pattern.removesuffix("*").replace("_", "a").isalnum():
                fail(path, "allow.set-env", f'entry "{pattern}" must be a '
                     "variable name or a PREFIX_* pattern")


def alias_index(path: str, doc: dict) -> dict[str, tuple[str, str]]:
    """Map every alias name and exec basename to (alias, exec); refuse clashes."""
    index: dict[str, tuple[str, str]] = {}
    for name, alias in doc.get("alias", {}).items():
        register(path, index, name, (name, ""))
        for exe in alias.get("exec", []):
            register(path, index, os.path.basename(exe), (name, exe))
    return index


def register(path: str, index: dict, name: str, entry: tuple[str, str]) -> None:
    """Add one name to the alias index unless another entry holds it."""
    held = index.get(name)
    if held == (entry[0], "") and entry[1]:
        fail(path, f"alias.{name}.exec", f'entry "{entry[1]}" already gets an '
             f'alias of its own name, "{name}", which is this alias\'s name too; '
             f'rename the alias, e.g. to "{name}_" as rktrunner names image aliases')
    if held is not None:
        fail(path, f"alias.{entry[0]}", f'defines "{name}", which '
             f"{describe_entry(held)} already defines; rename one")
    index[name] = entry


def describe_entry(entry: tuple[str, str]) -> str:
    """Say where an alias index entry comes from."""
    alias, exe = entry
    return f'the exec "{exe}" of alias.{alias}' if exe else f"alias.{alias}"
