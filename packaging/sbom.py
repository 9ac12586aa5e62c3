"""A CycloneDX 1.5 software bill of materials for one Takeback release, from the build environment itself.

Components are the installed distributions that Takeback's runtime dependencies (``[project].dependencies`` in
``pyproject.toml``) pull in, with the versions and licences their metadata declares, narrowed to those whose
modules the frozen bundle actually holds when PyInstaller's table of contents is given. The output is
deterministic: the timestamp is ``SOURCE_DATE_EPOCH`` and the serial number is derived from the content, so
the same inputs give the same file byte for byte.

Usage: ``python packaging/sbom.py OUT.cdx.json [--bundle-toc build/pyinstaller/takeback/PYZ-00.toc ...]``
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import platform
import re
import sys
import tomllib
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement  # the PyPA library: this folder is not a package
from packaging.utils import canonicalize_name

import names

__all__ = ["bundled_top_levels", "make_sbom", "runtime_distributions"]

REPO = Path(__file__).resolve().parent.parent
SPEC_VERSION = "1.5"


def runtime_distributions(pyproject: Path = REPO / "pyproject.toml") -> dict[str, metadata.Distribution]:
    """Every installed distribution Takeback needs at run time, keyed by canonical name.

    Follows ``Requires-Dist`` from the project's own dependencies, evaluating environment markers for this
    build host and the extras each requirement asks for.

    Raises:
        RuntimeError: a runtime dependency is not installed in the build environment.
    """
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    found: dict[str, metadata.Distribution] = {}
    pending = [(Requirement(text), frozenset()) for text in project["dependencies"]]
    while pending:
        requirement, parent_extras = pending.pop()
        if requirement.marker and not any(
            requirement.marker.evaluate({"extra": extra}) for extra in (parent_extras or {""})
        ):
            continue
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError as exc:
            raise RuntimeError(f"{requirement.name} is a runtime dependency but is not installed here") from exc
        found[name] = distribution
        for text in distribution.requires or ():
            pending.append((Requirement(text), frozenset(requirement.extras)))
    return found


def bundled_top_levels(toc_files: Iterable[Path]) -> set[str]:
    """Top-level module and folder names that a PyInstaller build collected, from its ``.toc`` files."""
    names_found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, tuple) and len(node) == 3 and all(isinstance(item, str) for item in node):
            destination = node[0].replace("\\", "/")
            top = destination.split("/", 1)[0] if "/" in destination else destination.split(".", 1)[0]
            names_found.add(top)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    for toc in toc_files:
        walk(ast.literal_eval(toc.read_text(encoding="utf-8")))
    return names_found


def _top_levels(distribution: metadata.Distribution) -> set[str]:
    declared = distribution.read_text("top_level.txt")
    if declared:
        return {line.strip() for line in declared.splitlines() if line.strip()}
    tops = set()
    for file in distribution.files or ():
        first = file.parts[0]
        if first.endswith((".dist-info", ".data")) or first == "..":
            continue
        tops.add(first.removesuffix(".py").split(".", 1)[0] if file.suffix in {".py", ".so", ".pyd"} else first)
    return tops


def _licenses(distribution: metadata.Distribution) -> list[dict]:
    meta = distribution.metadata
    expression = meta.get("License-Expression")
    if expression:
        return [{"expression": expression.strip()}]
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80 and text.upper() != "UNKNOWN":
        return [{"license": {"name": text}}]
    classifiers = [
        value.split(" :: ")[-1] for value in meta.get_all("Classifier") or () if value.startswith("License ::")
    ]
    return [{"license": {"name": name}} for name in sorted(set(classifiers))]


def _purl(name: str, version: str) -> str:
    return f"pkg:pypi/{name}@{version}"


def make_sbom(
    distributions: dict[str, metadata.Distribution], *, source_date_epoch: int, system: str, arch: str
) -> dict:
    """The CycloneDX document for these distributions (see :func:`runtime_distributions`)."""
    components, refs = [], {}
    for name in sorted(distributions):
        distribution = distributions[name]
        version = distribution.version
        refs[name] = _purl(name, version)
        component = {
            "type": "library",
            "bom-ref": refs[name],
            "name": name,
            "version": version,
            "purl": refs[name],
            "licenses": _licenses(distribution),
        }
        summary = distribution.metadata.get("Summary")
        if summary:
            component["description"] = summary.strip()
        components.append(component)
    python_ref = f"pkg:generic/cpython@{platform.python_version()}"
    components.append({
        "type": "platform",
        "bom-ref": python_ref,
        "name": "cpython",
        "version": platform.python_version(),
        "purl": python_ref,
        "licenses": [{"expression": "PSF-2.0"}],
    })
    app_ref = f"pkg:generic/{names.APP_ID}@{names.__version__}"
    dependencies = [{"ref": app_ref, "dependsOn": sorted([python_ref, *_direct_refs(refs)])}]
    for name in sorted(distributions):
        depends = set()
        for text in distributions[name].requires or ():
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            child = canonicalize_name(requirement.name)
            if child in refs:
                depends.add(refs[child])
        dependencies.append({"ref": refs[name], "dependsOn": sorted(depends)})
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": SPEC_VERSION,
        "version": 1,
        "metadata": {
            "timestamp": datetime.fromtimestamp(source_date_epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tools": {"components": [{"type": "application", "name": "takeback packaging/sbom.py",
                                      "version": names.__version__}]},
            "component": {
                "type": "application",
                "bom-ref": app_ref,
                "name": names.APP_NAME,
                "version": names.__version__,
                "purl": app_ref,
                "properties": [{"name": "takeback:target", "value": f"{system}-{arch}"}],
            },
        },
        "components": components,
        "dependencies": dependencies,
    }
    content = json.dumps(document, sort_keys=True).encode()
    document["serialNumber"] = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, hashlib.sha256(content).hexdigest())}"
    return document


def _direct_refs(refs: dict[str, str]) -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    direct = {canonicalize_name(Requirement(text).name) for text in project["dependencies"]}
    return [refs[name] for name in direct if name in refs]


def filter_to_bundle(distributions: dict[str, metadata.Distribution], bundled: set[str]) -> dict:
    """Keep the distributions at least one of whose top-level names the bundle holds (excluded ones go)."""
    lowered = {name.lower() for name in bundled}
    return {
        name: dist for name, dist in distributions.items()
        if any(top.lower() in lowered for top in _top_levels(dist))
    }


def write(out: Path, *, source_date_epoch: int, system: str, arch: str, tocs: Sequence[Path] = ()) -> dict:
    distributions = runtime_distributions()
    if tocs:
        distributions = filter_to_bundle(distributions, bundled_top_levels(tocs))
    document = make_sbom(distributions, source_date_epoch=source_date_epoch, system=system, arch=arch)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return document


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bundle-toc", type=Path, action="append", default=[])
    parser.add_argument("--source-date-epoch", type=int, default=0)
    args = parser.parse_args(argv)
    system = names.current_system()
    document = write(args.out, source_date_epoch=args.source_date_epoch, system=system, arch=names.machine(),
                     tocs=args.bundle_toc)
    print(f"{args.out}: {len(document['components'])} components", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
