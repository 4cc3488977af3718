"""rkt-tui: browse what a site lets you run, watch the command take shape, run it."""
