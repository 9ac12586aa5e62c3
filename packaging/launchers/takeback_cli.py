"""Entry point of the frozen ``takeback`` command: the same ``desktop.cli.main`` that ``pip install`` wires up.

On Linux the windowed program ``Takeback`` is a link to this one (the two would differ only in their copy of
the Python archive, 13 MB): started under that name, it runs the windowed launcher (``takeback_gui.py``).
"""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    # A frozen program re-executes itself for multiprocessing workers; this lets such a child run its task.
    multiprocessing.freeze_support()
    from desktop.about import APP_NAME

    if os.path.basename(sys.argv[0]) == APP_NAME:
        import takeback_gui

        sys.exit(takeback_gui.main())
    from desktop.cli import main

    sys.exit(main())
