"""coopfood: the core of a desktop application for French short-supply-chain food co-ops.

Nothing in this package imports Qt: it is usable from the command line, from
tests and from the window alike.
"""

__version__ = "0.1.0"
