"""Entry point of the frozen ``takeback`` command: the same ``desktop.cli.main`` that ``pip install`` wires up."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A frozen program re-executes itself for multiprocessing workers; this lets such a child run its task.
    multiprocessing.freeze_support()
    from desktop.cli import main

    sys.exit(main())
