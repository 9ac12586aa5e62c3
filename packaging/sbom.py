"""A CycloneDX 1.5 software bill of materials for one Takeback release, from the build environment itself.

Components are the installed distributions that Takeback's runtime dependencies (``[project].dependencies`` in
``pyproject.toml``) pull in, with the versions and licences their metadata declares, narrowed to those whose
modules the frozen bundle actually holds when PyInstaller's table of contents is given; and, when the bundle
folder is given, every native shared library inside it (FFmpeg, OpenBLAS, Qt, ICU, libheif, the system
libraries PyInstaller copied from the build host...) with its SHA-256, the version its file name carries, and
where it came from: the Python distribution whose wheel brought it, or the Debian package that installed it
on the build host (``dpkg -S``), or Takeback itself for the encoder stubs ``encoder_stubs.py`` builds (they
replace a wheel's library under its name, so the file name alone would credit the wheel). The output is
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
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement  # the PyPA library: this folder is not a package
from packaging.utils import canonicalize_name

import encoder_stubs
import names

__all__ = ["bundled_top_levels", "make_sbom", "native_libraries", "runtime_distributions", "toc_sources"]

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
    return {destination.split("/", 1)[0] if "/" in destination else destination.split(".", 1)[0]
            for destination in toc_sources(toc_files)}


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


_NATIVE = re.compile(r"\.so(\.[0-9][0-9A-Za-z._-]*)?$|\.dylib$|\.dll$", re.IGNORECASE)
#: ``libavcodec-c4204469.so.62.28.101`` -> (``libavcodec``, ``62.28.101``); auditwheel adds the hash part.
_LIBRARY_NAME = re.compile(r"^(?P<name>.+?)(-[0-9a-f]{8})*(\.cpython-[^.]+|\.abi3)?\.(so|dylib|dll)(\.(?P<version>[0-9][0-9.]*))?$",
                           re.IGNORECASE)


def native_libraries(bundle: Path, distributions: dict[str, metadata.Distribution],
                     owner: Callable[[Path], tuple[str, str] | None] | None = None,
                     sources: dict[str, str] | None = None) -> list[dict]:
    """CycloneDX components for the shared libraries inside ``bundle`` (not Python extension modules).

    Args:
        bundle: the one-folder bundle.
        distributions: the bundled Python distributions; a library in a folder one of them installed
            (``pillow.libs/``, ``PySide6/Qt/lib/``) is credited to it.
        owner: for the rest (copied from the build host), returns (Debian package, version) or None;
            defaults to asking dpkg about all of them at once.
        sources: where PyInstaller copied each file from (destination inside ``_internal`` -> source path,
            see :func:`toc_sources`): dpkg is asked about that exact file, so a library of the same name
            from elsewhere (a Python built with pyenv) is not credited to a Debian package. Files missing
            here (added after freezing) are looked up by name.
    """
    tops = {top.lower(): name for name, dist in distributions.items()
            for top in _top_levels(dist) | {file.parts[0] for file in dist.files or () if len(file.parts) > 1}}
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or not _NATIVE.search(path.name):
            continue
        relative = path.relative_to(bundle).as_posix()
        if re.search(r"\.cpython-|\.abi3\.|\.pyd$", path.name) or "/plugins/" in relative:
            continue  # Python extension modules and Qt plugins belong to their distribution's component
        top = next((part for part in relative.split("/")[:-1] if part != "_internal"), "")
        found.append((path, relative, tops.get(top.lower())))
    if owner is None:
        sources = sources or {}

        def origins(path: Path) -> list[str]:
            source = sources.get(path.relative_to(bundle).as_posix().removeprefix("_internal/"))
            if source is None:
                return [f"*/{path.name}"]
            # dpkg records one spelling: /lib or /usr/lib (merged /usr), the soname link or the real file.
            spellings = {source, str(Path(source).resolve())}
            return sorted(spellings | {spelling.replace("/usr/lib/", "/lib/", 1) if spelling.startswith("/usr/lib/")
                                       else spelling.replace("/lib/", "/usr/lib/", 1) for spelling in spellings
                                       if spelling.startswith(("/lib/", "/usr/lib/"))})

        owners = _debian_owners([pattern for path, _relative, provider in found if provider is None
                                 for pattern in origins(path)])
        owner = lambda path: next((owners[p] for p in origins(path) if p in owners), None)  # noqa: E731
    components = []
    for path, relative, provider in found:
        match = _LIBRARY_NAME.match(path.name)
        name = match.group("name") if match else path.name
        version = (match.group("version") if match else None) or "unknown"
        properties = [{"name": "takeback:path", "value": relative}]
        data = path.read_bytes()
        if (marker := data.find(encoder_stubs.STUB_MARKER)) >= 0:
            source = data[marker:data.index(b"\0", marker)].decode()
            properties += [
                {"name": "takeback:provided-by", "value": f"pkg:generic/{names.APP_ID}@{names.__version__}"},
                {"name": "takeback:stub", "value": source},
            ]
        elif provider is not None:
            properties.append({"name": "takeback:provided-by",
                               "value": _purl(provider, distributions[provider].version)})
        elif (package := owner(path)) is not None:
            properties.append({"name": "takeback:provided-by", "value": f"pkg:deb/debian/{package[0]}@{package[1]}"})
        components.append({
            "type": "library",
            "bom-ref": f"pkg:generic/{name}@{version}?file={relative}",
            "name": name,
            "version": version,
            "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()}],
            "properties": properties,
        })
    return components


def toc_sources(tocs: Iterable[Path]) -> dict[str, str]:
    """Destination inside the bundle -> the file PyInstaller copied there, from its ``.toc`` files."""
    found: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, tuple) and len(node) == 3 and all(isinstance(item, str) for item in node):
            found.setdefault(node[0].replace("\\", "/"), node[1])
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)

    for toc in tocs:
        walk(ast.literal_eval(toc.read_text(encoding="utf-8")))
    return found


def _debian_owners(patterns: Sequence[str]) -> dict[str, tuple[str, str]]:
    """dpkg pattern (an exact path, or ``*/name``) -> (package, version) of the Debian package that installed
    it on the build host: one ``dpkg -S`` and one ``dpkg-query`` for all of them (each reads dpkg's database)."""
    import shutil
    import subprocess

    if not patterns or shutil.which("dpkg") is None:
        return {}
    done = subprocess.run(["dpkg", "-S", *sorted(set(patterns))], capture_output=True, text=True, check=False)
    packages: dict[str, str] = {}
    for line in done.stdout.splitlines():
        owner_part, _, path = line.partition(": ")
        path = path.strip()
        package = owner_part.split(",")[0].split(":")[0].strip()
        for pattern in patterns:
            matches = path == pattern or (pattern.startswith("*/") and path.endswith(pattern[1:]))
            if matches and pattern not in packages:
                packages[pattern] = package
    if not packages:
        return {}
    versions = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\n", *sorted(set(packages.values()))],
                              capture_output=True, text=True, check=False).stdout
    version_of = dict(line.split(" ", 1) for line in versions.splitlines() if " " in line)
    return {name: (package, version_of[package]) for name, package in packages.items() if package in version_of}


def make_sbom(
    distributions: dict[str, metadata.Distribution], *, source_date_epoch: int, system: str, arch: str,
    native: Sequence[dict] = (),
) -> dict:
    """The CycloneDX document for these distributions (see :func:`runtime_distributions`) and the native
    library components ``native`` (see :func:`native_libraries`)."""
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
    components += native
    app_ref = f"pkg:generic/{names.APP_ID}@{names.__version__}"
    dependencies = [{"ref": app_ref, "dependsOn": sorted([python_ref, *_direct_refs(refs),
                                                          *(component["bom-ref"] for component in native)])}]
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


def write(out: Path, *, source_date_epoch: int, system: str, arch: str, tocs: Sequence[Path] = (),
          bundle: Path | None = None) -> dict:
    distributions = runtime_distributions()
    if tocs:
        distributions = filter_to_bundle(distributions, bundled_top_levels(tocs))
    native = (native_libraries(bundle, distributions, sources=toc_sources(tocs))
              if bundle is not None and bundle.is_dir() else [])
    document = make_sbom(distributions, source_date_epoch=source_date_epoch, system=system, arch=arch,
                         native=native)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return document


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bundle-toc", type=Path, action="append", default=[])
    parser.add_argument("--source-date-epoch", type=int, default=0)
    parser.add_argument("--bundle", type=Path, help="the frozen folder, to list its native libraries too")
    args = parser.parse_args(argv)
    system = names.current_system()
    document = write(args.out, source_date_epoch=args.source_date_epoch, system=system, arch=names.machine(),
                     tocs=args.bundle_toc, bundle=args.bundle)
    print(f"{args.out}: {len(document['components'])} components", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
