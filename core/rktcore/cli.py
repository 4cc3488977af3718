"""rkt-run: check a request against the site's policy, then run it as the caller.

The steps follow the privileged run of the design, one call each.
"""

import os
import sys

from rktcore import config as configuration
from rktcore import identity, privilege
from rktcore.messages import Exit, Refusal, UsageError, err, out, out_lines


def main(argv: list[str] | None = None) -> int:
    """Run rkt-run and return its exit status; bad input never shows a traceback."""
    try:
        return rkt_run(sys.argv[1:] if argv is None else argv)
    except Refusal as refusal:
        err(str(refusal))
        return refusal.code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return Exit.OK
    except Exception as error:  # a bug; say so in one line, as root too
        err(f"internal error ({type(error).__name__}: {error}); please report it")
        return Exit.SOFTWARE


def exit_now(status: int) -> None:
    """End the process with status as soon as its output is flushed.

    rkt-run holds nothing that needs tearing down, and the interpreter's
    teardown takes as long as the rest of a dry run; the launcher's entry
    script ends with exit_now(main()). Only a developer's python -i (which the
    launcher's -I rules out) gets the usual exit, and with it the prompt.
    """
    if sys.flags.inspect:
        sys.exit(status)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass  # nobody reads it any more; the status still tells the caller
    os._exit(status)


def rkt_run(argv: list[str]) -> int:
    """Carry out one rkt-run invocation."""
    caller = identity.from_kernel()

    privilege.drop(caller)

    from rktcore.options import HELP, parse

    options = parse(argv)
    if options.help or options.version:
        from rktcore import __version__

        out(HELP.rstrip() if options.help else f"rkt-run {__version__}")
        return Exit.OK

    config = load_config(options, caller)

    if options.list_alias:
        from rktcore.listing import alias_lines

        out_lines(alias_lines(config))
        return Exit.OK
    if options.list_images:
        return list_images(config, options, caller)

    from rktcore.plan import make_plan

    cwd = current_directory()
    request = options.request()
    request.tty = os.isatty(0)  # decided here: planning stays a pure function
    plan = make_plan(config, caller, request, identity.caller_environment(), cwd)

    show(plan, options)
    if options.prints_only:
        return Exit.OK

    check_may_run(caller)
    check_runtime_exists(plan.argv[0])
    from rktcore import execute, integrity

    integrity.check_run(config.path, plan.argv[0])
    return execute.run(config, caller, plan, cwd)


def load_config(options, caller):
    """Load the site's config, or one named with --config where that is allowed."""
    if another_config(options) and not caller.is_root:
        if not options.prints_only:
            raise UsageError("--config is for root, or together with --dry-run; "
                             "drop it to use the site's config")
        # A preview needs root no more: parse the user's file with none left.
        privilege.give_up(caller)
        return configuration.load(options.config)  # a user's file: never cached
    from rktcore import cache

    # A run that plans for one name needs only that name's alias from the cache.
    whole = options.list_alias or options.list_images
    return cache.load(options.config or configuration.DEFAULT_PATH,
                      None if whole else options.image)


def another_config(options) -> bool:
    """Say whether --config names a file other than the site's config."""
    # Compared as written: a link to the site's config counts as another file.
    return bool(options.config) and (os.path.abspath(options.config)
                                     != configuration.DEFAULT_PATH)


def list_images(config, options, caller) -> int:
    """Print the runtime's pulled images that this site lets users run."""
    from rktcore.images import listing, pulled_images

    if another_config(options) and not caller.is_root:
        raise UsageError("--list-images lists what the site's config allows, "
                         "and only root may name another; drop --config")
    check_may_run(caller)
    runtime = config.get(config.runtime)
    check_runtime_exists(runtime)
    from rktcore import integrity

    integrity.check_run(config.path, runtime)  # root runs it, as for a run
    images = pulled_images(config)
    if options.json:
        import json

        out(json.dumps(images, indent=2))
    elif images:
        out("\n".join(listing(images)))
    return Exit.OK


def show(plan, options) -> None:
    """Print what the options ask for: the command, its origins, the environment."""
    if not (options.json or options.explain or options.verbose or options.print_env):
        return  # a bare --dry-run prints nothing, so needs no preview code
    from rktcore import preview

    if options.json:
        out(preview.as_json(plan))
    elif options.explain:
        out(preview.explanation(plan))
    if options.verbose:
        sys.stderr.write(preview.command_line(plan.argv) + "\n")
    if options.print_env:
        lines = preview.environment_lines(plan)
        sys.stderr.write("".join(line + "\n" for line in lines))


def check_may_run(caller) -> None:
    """Refuse a real run by a process that cannot become root."""
    if not privilege.privileged():
        raise Refusal("rkt-run is not installed setuid root here, so it can only "
                      "preview (--dry-run); ask your admin to run "
                      "rkt-run-admin install", Exit.UNAVAILABLE)


def check_runtime_exists(runtime: str) -> None:
    """Refuse early, and say whose job it is, when the runtime is not installed."""
    if not os.path.exists(runtime):
        raise Refusal(f"the runtime {runtime} is not installed; ask your admin to "
                      "install it or fix the config", Exit.UNAVAILABLE)


def current_directory() -> str:
    """Return the working directory, refusing one that no longer exists."""
    try:
        return os.getcwd()
    except OSError:
        raise Refusal("the current directory no longer exists; cd somewhere "
                      "else") from None
