"""``python -m desktop`` runs the ``takeback`` command."""

import sys

from .cli import main

sys.exit(main())
