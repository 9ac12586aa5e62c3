"""One external command of the release build: shown (secrets masked) in a dry run, run for real otherwise."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Command", "MASK"]

MASK = "********"


@dataclass(frozen=True)
class Command:
    """Arguments, which of them are secrets, what goes to standard input, and extra environment variables."""

    argv: tuple[str, ...]
    secrets: frozenset[str] = field(default_factory=frozenset)
    stdin: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    windows: bool = False  # shown with Windows quoting (signtool, ISCC) rather than POSIX shell quoting

    def display(self) -> str:
        """The command line as a person would type it, with every secret replaced by asterisks."""
        shown = [self._masked(arg) for arg in self.argv]
        text = subprocess.list2cmdline(shown) if self.windows else shlex.join(shown)
        prefix = " ".join(f"{name}={shlex.quote(value)}" for name, value in sorted(self.env.items()))
        suffix = "   (secret on standard input)" if self.stdin is not None else ""
        return f"{prefix} {text}{suffix}" if prefix else text + suffix

    def run(self, cwd: Path | None = None) -> None:
        """Run it, failing loudly; the error shows the masked command line, never a secret."""
        environment = {**os.environ, **self.env} if self.env else None
        completed = subprocess.run(self.argv, cwd=cwd, input=self.stdin, text=True, env=environment, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"This command failed with status {completed.returncode}: {self.display()}")

    def _masked(self, arg: str) -> str:
        for secret in self.secrets:
            if secret and secret in arg:
                arg = arg.replace(secret, MASK)
        return arg
