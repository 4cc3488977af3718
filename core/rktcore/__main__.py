"""Run rkt-run: python -I -m rktcore, or the script the launcher executes."""

import sys

from rktcore.cli import main

sys.exit(main())
