"""The screens of rkt-tui, one module each."""
