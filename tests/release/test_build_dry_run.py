"""``build.py --dry-run`` for systems we cannot build on here: it checks the signing inputs and prints the exact
commands, masking secrets; with missing or malformed inputs it stops before anything runs."""

from pathlib import Path

import pytest

import build
import names

THUMBPRINT = "0123456789ABCDEF0123456789ABCDEF01234567"
TIMESTAMP = "http://timestamp.ca.example/rfc3161"
MAC_IDENTITY = "Developer ID Application: Takeback Project (ABCDE12345)"


def dry_run(capsys, env, *args):
    status = build.main(["--dry-run", *args, "--out", "/releases/dist"], env=env)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def command_lines(out: str) -> list[str]:
    return [line.strip()[2:] for line in out.splitlines() if line.strip().startswith("$ ")]


def test_windows_signing_with_a_certificate_file_prints_signtool_and_iscc_with_the_password_masked(
    capsys, build_env, tmp_path
):
    pfx = tmp_path / "release.pfx"
    pfx.write_bytes(b"not a real certificate; the dry run only checks that the file is there")
    env = {**build_env, "TAKEBACK_WINDOWS_CERT_FILE": str(pfx), "TAKEBACK_WINDOWS_CERT_PASSWORD": "s3cret-pass",
           "TAKEBACK_TIMESTAMP_URL": TIMESTAMP}
    status, out, err = dry_run(capsys, env, "--target", "windows", "--sign")
    assert status == 0, err
    assert "s3cret-pass" not in out + err
    lines = command_lines(out)
    console, gui = (f"/releases/dist/Takeback/{name}.exe" for name in names.executable_names("windows"))
    sign_options = f"/fd SHA256 /tr {TIMESTAMP} /td SHA256 /d Takeback /f {pfx} /p ********"
    assert f"signtool sign /v {sign_options} {console} {gui}" in lines
    assert f"signtool verify /pa /all /tw /v {console} {gui}" in lines
    iscc = next(line for line in lines if line.startswith("iscc "))
    stem = names.artefact_stem("windows")
    for define in ("/DAppName=Takeback", f"/DAppVersion={names.__version__}", "/DGuiExe=Takeback.exe",
                   "/DConsoleExe=takeback-cli.exe", f"/DOutputBaseFilename={stem}-setup", "/DSign=1"):
        assert define in iscc.split()
    assert f'"/Stakeback=signtool sign {sign_options} $f"' in iscc
    assert iscc.endswith("packaging/windows/takeback.iss")
    assert f"signtool verify /pa /all /tw /v /releases/dist/release/{stem}-setup.exe" in lines


def test_windows_signing_with_a_thumbprint_uses_the_certificate_store(capsys, build_env):
    env = {**build_env, "TAKEBACK_WINDOWS_CERT_THUMBPRINT": THUMBPRINT.lower(), "TAKEBACK_TIMESTAMP_URL": TIMESTAMP,
           "TAKEBACK_SIGNTOOL": r"C:\Program Files (x86)\Windows Kits\10\bin\x64\signtool.exe"}
    status, out, err = dry_run(capsys, env, "--target", "windows", "--sign")
    assert status == 0, err
    sign = next(line for line in command_lines(out) if " sign " in line and "iscc" not in line)
    assert sign.startswith('"C:\\Program Files (x86)\\Windows Kits\\10\\bin\\x64\\signtool.exe" sign ')
    assert f"/sha1 {THUMBPRINT.lower()}" in sign and "/f " not in sign


@pytest.mark.parametrize(
    ("variables", "problems"),
    [
        ({}, ["no certificate", "TAKEBACK_TIMESTAMP_URL is not set"]),
        ({"TAKEBACK_WINDOWS_CERT_THUMBPRINT": "abc", "TAKEBACK_TIMESTAMP_URL": "timestamp.example"},
         ["40 hex digits", "must be an http:// or https:// URL"]),
        ({"TAKEBACK_WINDOWS_CERT_FILE": "/nowhere/release.pfx", "TAKEBACK_TIMESTAMP_URL": TIMESTAMP},
         ["does not exist", "TAKEBACK_WINDOWS_CERT_PASSWORD is not set"]),
        ({"TAKEBACK_WINDOWS_CERT_FILE": "/nowhere/release.cer", "TAKEBACK_WINDOWS_CERT_PASSWORD": "x",
          "TAKEBACK_TIMESTAMP_URL": TIMESTAMP}, [".pfx or .p12"]),
        ({"TAKEBACK_WINDOWS_CERT_FILE": "/nowhere/release.pfx", "TAKEBACK_WINDOWS_CERT_THUMBPRINT": THUMBPRINT,
          "TAKEBACK_TIMESTAMP_URL": TIMESTAMP}, ["not both"]),
    ],
)
def test_windows_signing_inputs_are_checked_and_every_problem_is_named(capsys, build_env, variables, problems):
    status, out, err = dry_run(capsys, {**build_env, **variables}, "--target", "windows", "--sign")
    assert status == 2
    assert "==>" not in out  # nothing was even planned
    for problem in problems:
        assert problem in err


def test_windows_without_sign_builds_an_unsigned_installer_and_runs_no_signtool(capsys, build_env):
    status, out, _ = dry_run(capsys, build_env, "--target", "windows")
    assert status == 0
    lines = command_lines(out)
    assert not any("signtool" in line for line in lines)
    assert any(line.startswith("iscc ") and "/DSign=1" not in line for line in lines)


def test_macos_signing_notarises_and_staples_with_the_app_password_masked(capsys, build_env):
    env = {**build_env, "TAKEBACK_MACOS_SIGN_IDENTITY": MAC_IDENTITY, "TAKEBACK_NOTARY_APPLE_ID": "release@example.org",
           "TAKEBACK_NOTARY_TEAM_ID": "ABCDE12345", "TAKEBACK_NOTARY_PASSWORD": "abcd-efgh-ijkl-mnop"}
    status, out, err = dry_run(capsys, env, "--target", "macos", "--sign")
    assert status == 0, err
    assert "abcd-efgh-ijkl-mnop" not in out + err
    lines = command_lines(out)
    app = "/releases/dist/Takeback.app"
    dmg = f"/releases/dist/release/{names.artefact_stem('macos')}.dmg"
    entitlements = str(build.ENTITLEMENTS)
    identity = f"'{MAC_IDENTITY}'"
    expected_in_order = [
        f"codesign --force --timestamp --options runtime --sign {identity} '{app}/Contents/Frameworks/<each nested",
        f"codesign --force --timestamp --options runtime --entitlements {entitlements} --sign {identity} "
        f"{app}/Contents/MacOS/Takeback",
        f"codesign --force --timestamp --options runtime --entitlements {entitlements} --sign {identity} {app}",
        f"codesign --verify --deep --strict --verbose=2 {app}",
        f"hdiutil create -volname Takeback -srcfolder ",
        f"codesign --force --timestamp --sign {identity} {dmg}",
        f"xcrun notarytool submit {dmg} --wait --apple-id release@example.org --team-id ABCDE12345 "
        f"--password '********'",
        f"xcrun stapler staple {dmg}",
        f"xcrun stapler validate {dmg}",
        f"spctl --assess --type open --context context:primary-signature --verbose {dmg}",
    ]
    positions = [next(i for i, line in enumerate(lines) if line.startswith(prefix)) for prefix in expected_in_order]
    assert positions == sorted(positions)


def test_macos_keychain_profile_replaces_the_apple_id_trio(capsys, build_env):
    env = {**build_env, "TAKEBACK_MACOS_SIGN_IDENTITY": MAC_IDENTITY, "TAKEBACK_NOTARY_KEYCHAIN_PROFILE": "takeback"}
    status, out, err = dry_run(capsys, env, "--target", "macos", "--sign")
    assert status == 0, err
    notarize = next(line for line in command_lines(out) if "notarytool" in line)
    assert notarize.endswith("--wait --keychain-profile takeback")


@pytest.mark.parametrize(
    ("variables", "problems"),
    [
        ({}, ["TAKEBACK_MACOS_SIGN_IDENTITY is not set", "no notarisation credentials"]),
        ({"TAKEBACK_MACOS_SIGN_IDENTITY": "Apple Development: someone (ABCDE12345)",
          "TAKEBACK_NOTARY_APPLE_ID": "a@example.org", "TAKEBACK_NOTARY_TEAM_ID": "abc"},
         ["cannot be notarised", "TAKEBACK_NOTARY_PASSWORD is not set", "10-character team ID"]),
        ({"TAKEBACK_MACOS_SIGN_IDENTITY": MAC_IDENTITY, "TAKEBACK_NOTARY_KEYCHAIN_PROFILE": "p",
          "TAKEBACK_NOTARY_APPLE_ID": "a@example.org"}, ["not both"]),
    ],
)
def test_macos_signing_inputs_are_checked(capsys, build_env, variables, problems):
    status, _, err = dry_run(capsys, {**build_env, **variables}, "--target", "macos", "--sign")
    assert status == 2
    for problem in problems:
        assert problem in err


def test_the_entitlements_grant_no_hardened_runtime_exception():
    import plistlib

    assert plistlib.loads(build.ENTITLEMENTS.read_bytes()) == {}


def test_linux_signing_needs_the_key_fingerprint(capsys, build_env):
    status, _, err = dry_run(capsys, build_env, "--target", "linux", "--sign")
    assert status == 2 and "TAKEBACK_GPG_KEY_ID is not set" in err
    status, out, err = dry_run(capsys, {**build_env, "TAKEBACK_GPG_KEY_ID": THUMBPRINT,
                                        "TAKEBACK_GPG_PASSPHRASE": "pass phrase"}, "--target", "linux", "--sign")
    assert status == 0, err
    assert "pass phrase" not in out
    sums = "/releases/dist/release/SHA256SUMS"
    assert (f"gpg --batch --yes --local-user {THUMBPRINT} --pinentry-mode loopback --passphrase-fd 0 --armor "
            f"--detach-sign --output {sums}.asc {sums}   (secret on standard input)") in command_lines(out)


@pytest.mark.parametrize(("args", "compression"), [((), "-Zxz -z6 --threads-max="), (("--deb-compression", "zstd"),
                                                                                    "-Zzstd -z9 --build")])
def test_the_deb_is_xz_compressed_unless_asked_for_zstd(capsys, build_env, args, compression):
    status, out, err = dry_run(capsys, build_env, "--target", "linux", *args)
    assert status == 0, err
    deb = next(line for line in command_lines(out) if " dpkg-deb " in line)
    assert f" dpkg-deb --root-owner-group {compression}" in deb


def test_the_dry_run_uses_source_date_epoch_and_runs_nothing(capsys, build_env, tmp_path):
    status = build.main(["--dry-run", "--out", str(tmp_path / "dist")], env=build_env)
    out = capsys.readouterr().out
    assert status == 0
    assert "SOURCE_DATE_EPOCH=1700000000" in out
    assert not (tmp_path / "dist").exists()


def test_building_for_another_system_without_dry_run_is_refused(capsys):
    other = next(system for system in names.SYSTEMS if system != names.current_system())
    with pytest.raises(SystemExit) as stopped:
        build.main(["--target", other], env={})
    assert stopped.value.code == 2
    assert "--dry-run" in capsys.readouterr().err


def test_build_reads_the_name_and_version_from_the_app(build_env):
    from desktop.about import APP_NAME, __version__

    assert names.artefact_stem("linux", "x86_64") == f"{APP_NAME}-{__version__}-linux-x86_64"
    assert names.executable_names("linux") == ("takeback", "Takeback")
    assert names.executable_names("windows")[0].lower() != names.executable_names("windows")[1].lower()
    assert not (Path(build.PACKAGING) / "__init__.py").exists()
