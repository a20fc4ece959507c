"""coopfood: `python main.py` opens the window, `python main.py COMMAND` runs a command."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def entry(argv: Sequence[str] | None = None) -> int:
    from coopfood import cli
    from coopfood.services import ServiceError

    args = cli.parse_args(argv)
    if args.command is not None:
        return cli.run(args)
    try:
        db = cli.open_db_for_window(args.db)
    except (cli.CliError, ServiceError) as error:
        sys.stderr.write(f"Erreur : {error}\n")
        return 1
    from ui.app import run_gui

    return int(run_gui(db))


if __name__ == "__main__":
    sys.exit(entry())
