"""The widgets of rkt-tui's screens, one module each."""
