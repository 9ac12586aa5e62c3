"""``SHA256SUMS`` for a folder of release files, in the format ``sha256sum --check`` reads, optionally signed.

Usage: ``python packaging/checksums.py DIR [--sign]``. With ``--sign``, ``SHA256SUMS.asc`` is a detached,
armoured OpenPGP signature made with the key named by ``TAKEBACK_GPG_KEY_ID`` (see ``signing.py``). The
release workflow uses this to sign the checksums of all three systems' files at once.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from signing import GpgSigning, SigningConfigError

__all__ = ["SUMS_NAME", "sha256_of", "write_sums"]

SUMS_NAME = "SHA256SUMS"
_NOT_LISTED = {SUMS_NAME, f"{SUMS_NAME}.asc"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_sums(folder: Path) -> Path:
    """Write ``folder/SHA256SUMS`` listing every other regular file in ``folder``, sorted by name.

    Raises:
        ValueError: the folder holds no release file.
    """
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name not in _NOT_LISTED)
    if not files:
        raise ValueError(f"{folder} holds no release file to list in {SUMS_NAME}")
    sums = folder / SUMS_NAME
    # Two spaces: text mode in GNU coreutils' format; "sha256sum -c" and "shasum -a 256 -c" both read it.
    sums.write_text("".join(f"{sha256_of(p)}  {p.name}\n" for p in files), encoding="utf-8")
    return sums


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--sign", action="store_true", help="also write SHA256SUMS.asc with gpg")
    args = parser.parse_args(argv)
    signer = None
    if args.sign:
        try:
            signer = GpgSigning.from_env(os.environ)
        except SigningConfigError as exc:
            print(exc, file=sys.stderr)
            return 2
    sums = write_sums(args.folder)
    print(sums.read_text(encoding="utf-8"), end="")
    if signer is not None:
        signer.sign(sums).run()
        signer.verify(sums).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
