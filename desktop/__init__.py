"""Takeback's desktop app and its ``takeback`` command line: they orchestrate ``hashing`` and ``client_api``."""

from .about import APP_NAME, __version__

__all__ = ["APP_NAME", "__version__"]
