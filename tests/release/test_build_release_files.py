"""Release files made here for real: a reproducible tarball, SHA256SUMS, and a gpg signature a user can check."""

import hashlib
import os
import subprocess
import tarfile

import pytest

import build
import checksums


@pytest.fixture
def bundle(tmp_path):
    folder = tmp_path / "Takeback"
    (folder / "_internal" / "PySide6").mkdir(parents=True)
    program = folder / "takeback"
    program.write_bytes(b"\x7fELF pretend program")
    program.chmod(0o755)
    (folder / "_internal" / "PySide6" / "data.txt").write_text("data")
    (folder / "_internal" / "libfoo.so.1").symlink_to("PySide6/data.txt")
    return folder


def test_the_tarball_depends_only_on_the_files(tmp_path, bundle):
    first, second = tmp_path / "a.tar.gz", tmp_path / "b.tar.gz"
    build.write_reproducible_tarball(bundle, first, root="Takeback-1-linux-x86_64", epoch=1700000000)
    os.utime(bundle / "takeback", (1, 1))  # a different build time must not change the bytes
    build.write_reproducible_tarball(bundle, second, root="Takeback-1-linux-x86_64", epoch=1700000000)
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        members = {m.name: m for m in tar.getmembers()}
    program = members["Takeback-1-linux-x86_64/takeback"]
    assert program.mode == 0o755 and program.mtime == 1700000000 and program.uid == 0 and program.uname == ""
    assert members["Takeback-1-linux-x86_64/_internal/PySide6/data.txt"].mode == 0o644
    assert members["Takeback-1-linux-x86_64/_internal/libfoo.so.1"].issym()


def test_a_missing_bundle_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="freeze the app first"):
        build.write_reproducible_tarball(tmp_path / "nothing", tmp_path / "x.tar.gz", root="x", epoch=0)


def test_sha256sums_is_what_sha256sum_checks(tmp_path):
    (tmp_path / "Takeback-1-linux-x86_64.tar.gz").write_bytes(b"tarball")
    (tmp_path / "Takeback-1-linux-x86_64.cdx.json").write_text("{}")
    sums = checksums.write_sums(tmp_path)
    tarball_line = f"{hashlib.sha256(b'tarball').hexdigest()}  Takeback-1-linux-x86_64.tar.gz"
    assert sums.read_text().splitlines()[1] == tarball_line
    check = ["sha256sum", "--check", "--strict", sums.name]
    assert subprocess.run(check, cwd=tmp_path, capture_output=True).returncode == 0
    (tmp_path / "Takeback-1-linux-x86_64.tar.gz").write_bytes(b"tampered")
    assert subprocess.run(["sha256sum", "--check", sums.name], cwd=tmp_path, capture_output=True).returncode != 0


def test_an_empty_release_folder_is_refused(tmp_path):
    with pytest.raises(ValueError, match="no release file"):
        checksums.write_sums(tmp_path)


@pytest.fixture
def release_key(tmp_path, monkeypatch):
    """A throw-away ed25519 release key with a passphrase, in a keyring of its own."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    subprocess.run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "correct horse",
                    "--quick-gen-key", "Takeback Test Release <release@example.invalid>", "ed25519", "sign", "1d"],
                   check=True, capture_output=True)
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], check=True,
                             capture_output=True, text=True).stdout
    fingerprint = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
    monkeypatch.setenv("TAKEBACK_GPG_KEY_ID", fingerprint)
    monkeypatch.setenv("TAKEBACK_GPG_PASSPHRASE", "correct horse")
    yield fingerprint
    # gpg starts an agent for this keyring that outlives the test; stop it with its keyring.
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False, capture_output=True)


def test_signed_sums_verify_as_the_readme_tells_users_and_tampering_is_caught(tmp_path, release_key, capsys):
    release = tmp_path / "release"
    release.mkdir()
    (release / "Takeback-1-linux-x86_64.tar.gz").write_bytes(b"tarball")
    assert checksums.main([str(release), "--sign"]) == 0
    assert (release / "SHA256SUMS.asc").read_text().startswith("-----BEGIN PGP SIGNATURE-----")
    verify = ["gpg", "--verify", "SHA256SUMS.asc", "SHA256SUMS"]
    checked = subprocess.run(verify, cwd=release, capture_output=True, text=True)
    assert checked.returncode == 0 and "Good signature" in checked.stderr
    assert subprocess.run(["sha256sum", "--check", "--ignore-missing", "SHA256SUMS"], cwd=release,
                          capture_output=True).returncode == 0
    with (release / "SHA256SUMS").open("a") as sums:
        sums.write(f"{'0' * 64}  evil.exe\n")
    assert subprocess.run(verify, cwd=release, capture_output=True).returncode != 0


def test_a_wrong_passphrase_fails_loudly_without_showing_it(tmp_path, release_key, monkeypatch):
    monkeypatch.setenv("TAKEBACK_GPG_PASSPHRASE", "wrong guess")
    (tmp_path / "file.tar.gz").write_bytes(b"x")
    with pytest.raises(RuntimeError) as failed:
        checksums.main([str(tmp_path), "--sign"])
    assert "wrong guess" not in str(failed.value)
    assert not (tmp_path / "SHA256SUMS.asc").exists()
