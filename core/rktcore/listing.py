"""The alias listing of rkt-run -l."""


def alias_lines(config):
    """Yield "NAME = [-e EXEC] IMAGE" per alias, sorted, with descriptions.

    Lines are made as they are printed: at ten thousand aliases, holding all
    thirty thousand of them would double what the listing costs in memory.
    """
    aliases = config.doc.get("alias", {})
    for name in sorted(config.aliases):
        alias, exe = config.aliases[name]
        entry = aliases[alias]
        line = f"{name} = {'-e ' + exe + ' ' if exe else ''}{entry['image']}"
        if entry.get("description"):
            line += f"  # {entry['description']}"
        yield line
