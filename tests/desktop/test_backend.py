"""The backend seam: the real backend and the test stand-in both have every method the Protocol declares."""

from __future__ import annotations

import inspect

import pytest
from desktop_stubs import StubBackend

from desktop.backend import Backend, IntakeBackend

PROTOCOL_METHODS = sorted(
    name for name, member in vars(Backend).items() if inspect.isfunction(member) and not name.startswith("_")
)


@pytest.mark.parametrize("implementation", [IntakeBackend, StubBackend])
@pytest.mark.parametrize("name", PROTOCOL_METHODS)
def test_every_backend_takes_what_the_protocol_passes(implementation, name):
    declared = inspect.signature(getattr(Backend, name)).parameters
    actual = inspect.signature(getattr(implementation, name)).parameters
    takes_any_keyword = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in actual.values())
    missing = [p for p in declared if p not in actual and not takes_any_keyword]
    assert missing == []
    assert [p for p in actual if actual[p].default is inspect.Parameter.empty and p not in declared
            and actual[p].kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)] == []


def test_the_methods_are_found():
    assert {"fingerprint", "create_case", "status", "withdraw", "recall"} <= set(PROTOCOL_METHODS)
