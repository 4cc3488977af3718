"""The alias listing of rkt-run -l."""


def alias_lines(config) -> list[str]:
    """Return "NAME = [-e EXEC] IMAGE" per alias, sorted, with descriptions."""
    aliases = config.doc.get("alias", {})
    lines = []
    for name in sorted(config.aliases):
        alias, exe = config.aliases[name]
        entry = aliases[alias]
        line = f"{name} = {'-e ' + exe + ' ' if exe else ''}{entry['image']}"
        if entry.get("description"):
            line += f"  # {entry['description']}"
        lines.append(line)
    return lines
