"""The privileged side of rkttui: config, policy, plan and exec for rkt-run.

Only the standard library and tomli may be imported here, and only what a
run needs, when it needs it: rkt-run starts before every containerised
command, so every import is paid thousands of times.
"""

__version__ = "0.1.0"
