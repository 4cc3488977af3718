"""Show a plan to people: shell-quoted, explained word by word, or as JSON."""

SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_"
)


def quote(word: str) -> str:
    """Quote one word so that a POSIX shell reads it back unchanged."""
    if word and SAFE.issuperset(word):
        return word
    return "'" + word.replace("'", "'\"'\"'") + "'"


def command_line(argv) -> str:
    """Return argv as one line that can be pasted into a shell."""
    return " ".join(quote(word) for word in argv)


def explanation(plan) -> str:
    """Return each word of the command beside its origin, then the environment."""
    quoted = [quote(word) for word in plan.argv]
    width = min(max(map(len, quoted), default=0), 40)
    lines = [f"{word:<{width}}  <- {origin}"
             for word, origin in zip(quoted, plan.origins)]
    if plan.environment:
        lines.append("")
        lines.append("container environment:")
        pairs = [(f"{name}={quote(value)}", origin)
                 for name, value, origin in plan.environment]
        width = min(max(len(pair) for pair, _ in pairs), 40)
        lines += [f"{pair:<{width}}  <- {origin}" for pair, origin in pairs]
    return "\n".join(lines)


def environment_lines(plan) -> list[str]:
    """Return the container environment as NAME=VALUE lines, as the env file holds it."""
    return [f"{name}={value}" for name, value, _ in plan.environment]


def as_json(plan) -> str:
    """Return the plan as JSON for tools."""
    import json

    return json.dumps(plan.as_dict(), indent=2)
