"""coopfood: `python main.py` opens the window, `python main.py COMMAND` runs a command."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def entry(argv: Sequence[str] | None = None) -> int:
    from coopfood import cli

    args = cli.parse_args(argv)
    if args.command is not None:
        return cli.run(args)
    from ui.app import start

    return start(args.db)


if __name__ == "__main__":
    sys.exit(entry())
