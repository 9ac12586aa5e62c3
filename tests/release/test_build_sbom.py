"""The software bill of materials: what the build environment really installed, in CycloneDX form."""

import json
from importlib import metadata

import sbom


def test_runtime_closure_holds_the_app_dependencies_with_their_installed_versions_and_no_test_tools():
    found = sbom.runtime_distributions()
    for name in ("numpy", "pillow", "pillow-heif", "opencv-python-headless", "pyside6-essentials", "shiboken6",
                 "httpx", "fastapi", "starlette", "uvicorn", "sqlalchemy"):
        assert found[name].version == metadata.version(name), name
    assert not {"pytest", "pdqhash", "threatexchange", "pyinstaller", "pytest-qt", "imagehash", "scipy"} & set(found)


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
                                        ("cv2/cv2.abi3.so", "/site/cv2/cv2.abi3.so", "EXTENSION")])))
    kept = sbom.filter_to_bundle(sbom.runtime_distributions(), sbom.bundled_top_levels([toc]))
    assert set(kept) == {"numpy", "opencv-python-headless"}


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
