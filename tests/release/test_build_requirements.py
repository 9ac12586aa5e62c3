"""The pinned build inputs cover everything a release bundles, each with an exact version and hashes."""

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import sbom

REQUIREMENTS = Path(__file__).resolve().parents[2] / "packaging" / "requirements-build.txt"
REGENERATE = "regenerate packaging/requirements-build.txt with the command in its header"


def pinned() -> dict[str, Requirement]:
    text = REQUIREMENTS.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    found = {}
    for entry in entries:
        first = entry.strip().split(" \\", 1)[0].strip()
        if not first or first.startswith("#"):
            continue
        requirement = Requirement(first)
        assert "--hash=sha256:" in entry, f"{requirement.name} has no hash; {REGENERATE}"
        found[canonicalize_name(requirement.name)] = requirement
    return found


def test_every_pin_is_exact():
    for name, requirement in pinned().items():
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", f"{name} is not pinned exactly"


def test_every_runtime_dependency_and_pyinstaller_is_pinned():
    missing = (set(sbom.runtime_distributions()) | {"pyinstaller", "pyinstaller-hooks-contrib"}) - set(pinned())
    assert not missing, f"not pinned: {sorted(missing)}; {REGENERATE}"
