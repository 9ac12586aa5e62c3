"""Signing commands for each system, built from environment variables and checked before anything runs.

Secrets only ever come from the environment (CI secrets or a maintainer's shell), never from files in the
repository or the command line of ``build.py``. Each ``from_env`` checks every input it can check without the
other system's tools (variables present, formats, files exist) and raises :class:`SigningConfigError` naming
every problem at once, so a dry run on any machine finds them before a release build on the real one.

Environment variables:

Linux (detached OpenPGP signature over ``SHA256SUMS``)
    ``TAKEBACK_GPG_KEY_ID``       fingerprint (40 hex digits) of the release key, already in gpg's keyring
    ``TAKEBACK_GPG_PASSPHRASE``   its passphrase, if it has one (given to gpg on standard input)
Windows (Authenticode with signtool, SHA-256 digests, RFC 3161 timestamp)
    ``TAKEBACK_WINDOWS_CERT_FILE`` + ``TAKEBACK_WINDOWS_CERT_PASSWORD``   a .pfx/.p12 file and its password, or
    ``TAKEBACK_WINDOWS_CERT_THUMBPRINT``   SHA-1 thumbprint of a certificate in the user's store (e.g. on a token)
    ``TAKEBACK_TIMESTAMP_URL``    the certificate authority's RFC 3161 time-stamping service (http or https)
    ``TAKEBACK_SIGNTOOL``         optional path to signtool.exe (default: ``signtool`` on PATH)
macOS (hardened-runtime codesign, notarisation, stapling)
    ``TAKEBACK_MACOS_SIGN_IDENTITY``   "Developer ID Application: Name (TEAMID)" or the certificate's SHA-1
    ``TAKEBACK_NOTARY_KEYCHAIN_PROFILE``   a profile stored with ``xcrun notarytool store-credentials``, or
    ``TAKEBACK_NOTARY_APPLE_ID`` + ``TAKEBACK_NOTARY_TEAM_ID`` + ``TAKEBACK_NOTARY_PASSWORD`` (app-specific password)
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from commands import Command

__all__ = [
    "GpgSigning", "MacSigning", "SigningConfigError", "WindowsSigning", "signing_env_names",
]

_HEX40 = re.compile(r"^[0-9A-Fa-f]{40}$")
_TEAM_ID = re.compile(r"^[A-Z0-9]{10}$")


class SigningConfigError(Exception):
    """The environment does not hold what signing needs; the message lists every problem found."""

    def __init__(self, system: str, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"Cannot sign the {system} release; fix these environment variables first:\n{lines}")


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def _check_url(url: str | None, name: str, problems: list[str]) -> None:
    if url is None:
        problems.append(f"{name} is not set (the certificate authority's RFC 3161 time-stamping URL)")
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        problems.append(f"{name} must be an http:// or https:// URL, not {url!r}")


@dataclass(frozen=True)
class GpgSigning:
    """A detached, ASCII-armoured OpenPGP signature made with ``gpg``."""

    key_id: str
    passphrase: str | None = None
    gpg: str = "gpg"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GpgSigning:
        key_id = _get(env, "TAKEBACK_GPG_KEY_ID")
        problems = []
        if key_id is None:
            problems.append("TAKEBACK_GPG_KEY_ID is not set (the release key's fingerprint, 40 hex digits)")
        elif not _HEX40.match(key_id.replace(" ", "")):
            problems.append("TAKEBACK_GPG_KEY_ID must be the key's full fingerprint: 40 hex digits")
        if problems:
            raise SigningConfigError("Linux", problems)
        return cls(key_id=key_id.replace(" ", ""), passphrase=_get(env, "TAKEBACK_GPG_PASSPHRASE"))

    def sign(self, file: Path) -> Command:
        """``gpg --detach-sign --armor`` writing ``FILE.asc``."""
        argv = [self.gpg, "--batch", "--yes", "--local-user", self.key_id]
        if self.passphrase is not None:
            argv += ["--pinentry-mode", "loopback", "--passphrase-fd", "0"]
        argv += ["--armor", "--detach-sign", "--output", f"{file}.asc", str(file)]
        return Command(tuple(argv), stdin=self.passphrase)

    def verify(self, file: Path) -> Command:
        return Command((self.gpg, "--verify", f"{file}.asc", str(file)))


@dataclass(frozen=True)
class WindowsSigning:
    """Authenticode signatures with signtool: SHA-256 file digest, RFC 3161 timestamp with a SHA-256 digest."""

    timestamp_url: str
    description: str
    cert_file: str | None = None
    cert_password: str | None = None
    thumbprint: str | None = None
    signtool: str = "signtool"

    @classmethod
    def from_env(cls, env: Mapping[str, str], description: str) -> WindowsSigning:
        cert_file = _get(env, "TAKEBACK_WINDOWS_CERT_FILE")
        password = _get(env, "TAKEBACK_WINDOWS_CERT_PASSWORD")
        thumbprint = _get(env, "TAKEBACK_WINDOWS_CERT_THUMBPRINT")
        url = _get(env, "TAKEBACK_TIMESTAMP_URL")
        problems: list[str] = []
        if cert_file and thumbprint:
            problems.append("set TAKEBACK_WINDOWS_CERT_FILE or TAKEBACK_WINDOWS_CERT_THUMBPRINT, not both")
        elif cert_file:
            path = Path(cert_file)
            if path.suffix.lower() not in {".pfx", ".p12"}:
                problems.append(f"TAKEBACK_WINDOWS_CERT_FILE must be a .pfx or .p12 file, not {path.name!r}")
            elif not path.is_file():
                problems.append(f"TAKEBACK_WINDOWS_CERT_FILE names a file that does not exist: {cert_file}")
            if password is None:
                problems.append("TAKEBACK_WINDOWS_CERT_PASSWORD is not set (the .pfx file's password)")
        elif thumbprint:
            thumbprint = thumbprint.replace(" ", "")
            if not _HEX40.match(thumbprint):
                problems.append("TAKEBACK_WINDOWS_CERT_THUMBPRINT must be the certificate's SHA-1: 40 hex digits")
        else:
            problems.append(
                "no certificate: set TAKEBACK_WINDOWS_CERT_FILE (+ TAKEBACK_WINDOWS_CERT_PASSWORD) "
                "or TAKEBACK_WINDOWS_CERT_THUMBPRINT"
            )
        _check_url(url, "TAKEBACK_TIMESTAMP_URL", problems)
        if problems:
            raise SigningConfigError("Windows", problems)
        return cls(
            timestamp_url=url,
            description=description,
            cert_file=cert_file,
            cert_password=password,
            thumbprint=thumbprint,
            signtool=_get(env, "TAKEBACK_SIGNTOOL") or "signtool",
        )

    def certificate_args(self) -> list[str]:
        if self.cert_file:
            return ["/f", self.cert_file, "/p", self.cert_password or ""]
        return ["/sha1", self.thumbprint or ""]

    def sign(self, files: Sequence[Path | str]) -> Command:
        """``signtool sign /fd SHA256 /tr URL /td SHA256``: a SHA-256 signature with an RFC 3161 timestamp."""
        argv = [
            self.signtool, "sign", "/v", "/fd", "SHA256", "/tr", self.timestamp_url, "/td", "SHA256",
            "/d", self.description, *self.certificate_args(), *map(str, files),
        ]
        return Command(tuple(argv), secrets=self._secrets(), windows=True)

    def inno_sign_tool(self) -> str:
        """The signtool command line Inno Setup runs for the installer and its uninstaller (``$f`` = file)."""
        argv = [
            self.signtool, "sign", "/fd", "SHA256", "/tr", self.timestamp_url, "/td", "SHA256",
            "/d", self.description, *self.certificate_args(),
        ]
        return subprocess.list2cmdline(argv) + " $f"

    def verify(self, files: Sequence[Path | str]) -> Command:
        """``signtool verify /pa /all /tw``: the Authenticode policy, every signature, and a timestamp present."""
        return Command((self.signtool, "verify", "/pa", "/all", "/tw", "/v", *map(str, files)), windows=True)

    def _secrets(self) -> frozenset[str]:
        return frozenset({self.cert_password} if self.cert_password else set())


@dataclass(frozen=True)
class MacSigning:
    """Developer ID signing with the hardened runtime, then notarisation and stapling of the disk image."""

    identity: str
    entitlements: Path
    keychain_profile: str | None = None
    apple_id: str | None = None
    team_id: str | None = None
    password: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str], entitlements: Path) -> MacSigning:
        identity = _get(env, "TAKEBACK_MACOS_SIGN_IDENTITY")
        profile = _get(env, "TAKEBACK_NOTARY_KEYCHAIN_PROFILE")
        apple_id = _get(env, "TAKEBACK_NOTARY_APPLE_ID")
        team_id = _get(env, "TAKEBACK_NOTARY_TEAM_ID")
        password = _get(env, "TAKEBACK_NOTARY_PASSWORD")
        problems: list[str] = []
        if identity is None:
            problems.append('TAKEBACK_MACOS_SIGN_IDENTITY is not set ("Developer ID Application: Name (TEAMID)")')
        elif not (identity.startswith("Developer ID Application: ") or _HEX40.match(identity)):
            problems.append(
                "TAKEBACK_MACOS_SIGN_IDENTITY must be a Developer ID Application identity or its SHA-1: "
                "other certificates cannot be notarised"
            )
        if not entitlements.is_file():
            problems.append(f"the entitlements file is missing: {entitlements}")
        triple = (apple_id, team_id, password)
        if profile and any(triple):
            problems.append("set TAKEBACK_NOTARY_KEYCHAIN_PROFILE or the TAKEBACK_NOTARY_APPLE_ID trio, not both")
        elif not profile:
            names = ("TAKEBACK_NOTARY_APPLE_ID", "TAKEBACK_NOTARY_TEAM_ID", "TAKEBACK_NOTARY_PASSWORD")
            missing = [name for name, value in zip(names, triple) if value is None]
            if len(missing) == 3:
                problems.append(
                    "no notarisation credentials: set TAKEBACK_NOTARY_KEYCHAIN_PROFILE, or "
                    "TAKEBACK_NOTARY_APPLE_ID, TAKEBACK_NOTARY_TEAM_ID and TAKEBACK_NOTARY_PASSWORD"
                )
            else:
                problems += [f"{name} is not set" for name in missing]
            if team_id is not None and not _TEAM_ID.match(team_id):
                problems.append("TAKEBACK_NOTARY_TEAM_ID must be Apple's 10-character team ID")
        if problems:
            raise SigningConfigError("macOS", problems)
        return cls(identity, entitlements, profile, apple_id, team_id, password)

    def codesign(self, path: Path | str, *, executable: bool) -> Command:
        """Sign one binary or the app with a secure timestamp and the hardened runtime.

        Entitlements go on executables only; libraries inherit their host's (Apple's rule).
        """
        argv = ["codesign", "--force", "--timestamp", "--options", "runtime"]
        if executable:
            argv += ["--entitlements", str(self.entitlements)]
        argv += ["--sign", self.identity, str(path)]
        return Command(tuple(argv))

    def verify_app(self, app: Path | str) -> Command:
        return Command(("codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app)))

    def sign_disk_image(self, dmg: Path | str) -> Command:
        return Command(("codesign", "--force", "--timestamp", "--sign", self.identity, str(dmg)))

    def notarize(self, dmg: Path | str) -> Command:
        """``xcrun notarytool submit --wait``: upload, wait for Apple's verdict, fail unless accepted."""
        argv = ["xcrun", "notarytool", "submit", str(dmg), "--wait"]
        if self.keychain_profile:
            argv += ["--keychain-profile", self.keychain_profile]
        else:
            argv += [
                "--apple-id", self.apple_id or "", "--team-id", self.team_id or "", "--password", self.password or "",
            ]
        return Command(tuple(argv), secrets=frozenset({self.password} if self.password else set()))

    def staple(self, dmg: Path | str) -> list[Command]:
        """Attach the notarisation ticket, then check it and Gatekeeper's verdict as a user's Mac would."""
        return [
            Command(("xcrun", "stapler", "staple", str(dmg))),
            Command(("xcrun", "stapler", "validate", str(dmg))),
            Command(("spctl", "--assess", "--type", "open", "--context", "context:primary-signature", "--verbose",
                     str(dmg))),
        ]


def signing_env_names() -> tuple[str, ...]:
    """Every environment variable this module reads (for the README and the workflow)."""
    return tuple(sorted(set(re.findall(r"TAKEBACK_[A-Z_0-9]+", __doc__ or ""))))
