"""The software bill of materials: what the build environment really installed, in CycloneDX form."""

import json
from importlib import metadata

import sbom


def test_runtime_closure_holds_the_app_dependencies_with_their_installed_versions_and_no_test_tools():
    found = sbom.runtime_distributions()
    for name in ("numpy", "pillow", "pillow-heif", "av", "pyside6-essentials", "shiboken6",
                 "httpx", "fastapi", "starlette", "uvicorn", "sqlalchemy"):
        assert found[name].version == metadata.version(name), name
    assert not {"pytest", "pdqhash", "threatexchange", "pyinstaller", "pytest-qt", "imagehash", "scipy",
                "opencv-python-headless"} & set(found)


def test_the_document_is_cyclonedx_and_the_same_inputs_give_the_same_bytes():
    distributions = sbom.runtime_distributions()
    first = sbom.make_sbom(distributions, source_date_epoch=1700000000, system="linux", arch="x86_64")
    second = sbom.make_sbom(sbom.runtime_distributions(), source_date_epoch=1700000000, system="linux",
                            arch="x86_64")
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    assert first["bomFormat"] == "CycloneDX" and first["specVersion"] == "1.5"
    assert first["serialNumber"].startswith("urn:uuid:")
    assert first["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"
    numpy = next(c for c in first["components"] if c["name"] == "numpy")
    assert numpy["purl"] == f"pkg:pypi/numpy@{metadata.version('numpy')}"
    assert numpy["licenses"]
    refs = {component["bom-ref"] for component in first["components"]} | {first["metadata"]["component"]["bom-ref"]}
    for entry in first["dependencies"]:
        assert entry["ref"] in refs and set(entry["dependsOn"]) <= refs
    app = next(entry for entry in first["dependencies"] if entry["ref"] == first["metadata"]["component"]["bom-ref"])
    assert numpy["bom-ref"] in app["dependsOn"]
    changed = sbom.make_sbom(distributions, source_date_epoch=1700000001, system="linux", arch="x86_64")
    assert changed["serialNumber"] != first["serialNumber"]


def test_a_distribution_the_bundle_left_out_is_not_listed(tmp_path):
    toc = tmp_path / "PYZ-00.toc"
    toc.write_text(repr(("PYZ-00.pyz", [("numpy", "/site/numpy/__init__.py", "PYMODULE"),
                                        ("av/_core.abi3.so", "/site/av/_core.abi3.so", "EXTENSION")])))
    kept = sbom.filter_to_bundle(sbom.runtime_distributions(), sbom.bundled_top_levels([toc]))
    assert set(kept) == {"numpy", "av"}


def test_the_written_sbom_is_valid_cyclonedx_1_5(tmp_path):
    """Checked with the CycloneDX project's own strict JSON schema validator."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    out = tmp_path / "release.cdx.json"
    sbom.write(out, source_date_epoch=1700000000, system="linux", arch="x86_64")
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(out.read_text()) is None
    broken = json.loads(out.read_text())
    broken["components"][0]["type"] = "python-package"  # not a CycloneDX component type
    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(json.dumps(broken)) is not None


def test_native_libraries_are_listed_with_hash_version_and_where_they_came_from(tmp_path):
    internal = tmp_path / "_internal"
    (internal / "pillow.libs").mkdir(parents=True)
    (internal / "PIL").mkdir()
    (internal / "pillow.libs" / "libjpeg-6dc8d115.so.62.4.0").write_bytes(b"jpeg")
    (internal / "libcrypto.so.3").write_bytes(b"crypto")
    (internal / "PIL" / "_imaging.cpython-311-x86_64-linux-gnu.so").write_bytes(b"extension module")
    (internal / "libcrypto.so").symlink_to("libcrypto.so.3")
    distributions = sbom.runtime_distributions()
    found = sbom.native_libraries(tmp_path, distributions, owner=lambda path: ("libssl3", "3.0.17-1"))
    by_name = {component["name"]: component for component in found}
    assert set(by_name) == {"libjpeg", "libcrypto"}
    jpeg = by_name["libjpeg"]
    assert jpeg["version"] == "62.4.0" and jpeg["type"] == "library"
    assert jpeg["hashes"] == [{"alg": "SHA-256", "content": __import__("hashlib").sha256(b"jpeg").hexdigest()}]
    provided = {item["name"]: item["value"] for item in jpeg["properties"]}
    assert provided["takeback:provided-by"] == f"pkg:pypi/pillow@{metadata.version('pillow')}"
    crypto = {item["name"]: item["value"] for item in by_name["libcrypto"]["properties"]}
    assert crypto["takeback:provided-by"] == "pkg:deb/debian/libssl3@3.0.17-1"
    document = sbom.make_sbom(distributions, source_date_epoch=1700000000, system="linux", arch="x86_64",
                              native=found)
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_5).validate_str(json.dumps(document)) is None
