"""Render rktrunner's Go-style templates: {{.Name}} and {{ Name }}.

Templates here hold no logic, only variables, so a small scanner does the
work; a template engine would cost more to import than a run takes.
"""

from rktcore.messages import ConfigError

IDENTITY_VARIABLES = ("Uid", "Gid", "Username", "HomeDir")


def variable_names(text: str, where: str) -> list[str]:
    """Return the variable names used in text, refusing a malformed template."""
    names = []
    pos = 0
    while (start := text.find("{{", pos)) >= 0:
        end = text.find("}}", start + 2)
        if end < 0:
            raise ConfigError(one_line(f'{where}: "{{{{" is never closed; add "}}}}"'))
        name = text[start + 2 : end].strip().removeprefix(".")
        if not name.isidentifier():
            raise ConfigError(one_line(
                f'{where}: "{text[start:end + 2]}" is not a template variable; '
                "write {{.Name}}"
            ))
        names.append(name)
        pos = end + 2
    return names


def one_line(text: str) -> str:
    """Escape the control characters in text, so a message quoting it stays one line."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def render(text: str, variables: dict[str, str]) -> str:
    """Replace every variable in an already validated template; unknown ones vanish."""
    if "{{" not in text:
        return text
    parts = []
    pos = 0
    while (start := text.find("{{", pos)) >= 0:
        end = text.find("}}", start + 2)
        name = text[start + 2 : end].strip().removeprefix(".")
        parts.append(text[pos:start])
        parts.append(variables.get(name, ""))
        pos = end + 2
    parts.append(text[pos:])
    return "".join(parts)
