"""python -m rkttui runs rkt-tui."""

import sys

from rkttui.app import main

sys.exit(main())
