"""Build, sign and package a Takeback release for one system: ``python packaging/build.py [options]``.

Steps (each printed before it runs; ``--dry-run`` prints them, with every secret masked, and runs none):

1. check    the signing inputs (``--sign``): environment variables, formats, files; see ``signing.py``
2. icons    the app's SVG icon rendered for this system: PNGs, ``.ico``, ``.icns`` (``icons.py``)
3. freeze   PyInstaller, ``packaging/takeback.spec``: one folder with the console and windowed programs;
            on Linux, PyAV's x265 and SVT-AV1 encoders are replaced by stubs (``encoder_stubs.py``), debug
            symbols are stripped from the bundled libraries (not the programs), and Qt's ICU data is cut down
4. smoke    (``--smoke``) the frozen programs hash like the source tree and open their window (``smoke.py``)
5. sign     Windows: signtool on both programs; macOS: codesign every binary inside-out, then the app
6. package  Linux: a reproducible ``.tar.gz`` (with a menu entry and icons an included script places) and a
            ``.deb`` (``linux.py``); Windows: the Inno Setup installer (signed by ISCC through signtool);
            macOS: a ``.dmg``, signed, notarised and stapled
7. sbom     a CycloneDX JSON bill of materials of what the bundle holds (``sbom.py``)
8. sums     ``SHA256SUMS`` over the release files; on Linux with ``--sign`` also ``SHA256SUMS.asc`` (gpg)

Release files land in ``dist/release/``. ``SOURCE_DATE_EPOCH`` (default: the last commit's time) dates the
tarball's entries, the SBOM and PyInstaller's output; ``PYTHONHASHSEED=0`` keeps set ordering stable.
Secrets come only from the environment: see ``signing.py`` for the variables, ``TAKEBACK_ISCC`` for a
non-default Inno Setup compiler.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name  # the PyPA library: this folder is not a package

import bundle_rules
import checksums
import encoder_stubs
import icons
import icu_data
import linux
import names
import sbom
import numpy_blas
from commands import Command
from signing import GpgSigning, MacSigning, SigningConfigError, WindowsSigning

PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent
SPEC = PACKAGING / "takeback.spec"
ISS = PACKAGING / "windows" / "takeback.iss"
ENTITLEMENTS = PACKAGING / "macos" / "entitlements.plist"
REQUIREMENTS = PACKAGING / "requirements-build.txt"


@dataclass
class Step:
    """One numbered step: external commands, or Python work described in words for the dry run."""

    title: str
    commands: list[Command] = field(default_factory=list)
    action: Callable[[], None] | None = None
    describe: str = ""
    #: When set, the real run replaces ``commands`` (shown in a dry run) with what this returns at that moment:
    #: for work on files an earlier step creates, such as every binary inside the frozen app.
    deferred: Callable[[], list[Command]] | None = None

    def show(self, number: int) -> None:
        print(f"==> {number}. {self.title}", flush=True)
        for command in self.commands:
            print(f"    $ {command.display()}", flush=True)
        if self.describe:
            print(f"    {self.describe}", flush=True)

    def run(self) -> None:
        if self.deferred is not None:
            self.commands = self.deferred()
            for command in self.commands:
                print(f"    $ {command.display()}", flush=True)
        for command in self.commands:
            command.run(cwd=REPO)
        if self.action is not None:
            self.action()


@dataclass(frozen=True)
class Layout:
    """Where the build puts things; all under the repository unless ``--out`` says otherwise."""

    dist: Path
    work: Path

    @property
    def release(self) -> Path:
        return self.dist / "release"

    def bundle(self, system: str) -> Path:
        return self.dist / (f"{names.APP_NAME}.app" if system == "macos" else names.bundle_folder())

    @property
    def icons(self) -> icons.IconSet:
        return icons.IconSet(self.work / "icons")


def source_date_epoch(env: Mapping[str, str]) -> int:
    """``SOURCE_DATE_EPOCH`` from the environment, else the last commit's time (reproducible builds)."""
    if env.get("SOURCE_DATE_EPOCH", "").strip():
        return int(env["SOURCE_DATE_EPOCH"])
    done = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=REPO, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0 or not done.stdout.strip():
        raise SystemExit("Set SOURCE_DATE_EPOCH: this is not a git checkout, so the commit time is unknown.")
    return int(done.stdout.strip())


def pinned_versions(requirements: Path = REQUIREMENTS) -> dict[str, str]:
    """Exact versions pinned in ``requirements-build.txt``, by canonical distribution name."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def drift_from_pins() -> list[str]:
    """Installed runtime distributions whose version differs from the pinned build inputs, as sentences."""
    pins = pinned_versions()
    drift = []
    for name, distribution in sorted(sbom.runtime_distributions().items()):
        pinned = pins.get(name)
        if pinned is None:
            drift.append(f"{name} {distribution.version} is installed but not pinned")
        elif pinned != distribution.version:
            drift.append(f"{name} {distribution.version} is installed, {pinned} is pinned")
    return drift


def icons_step(layout: Layout) -> Step:
    return Step("render the icon", action=lambda: icons.render(layout.icons.folder),
                describe=f"{icons.ICON_SVG} -> {layout.icons.folder} (PNGs {', '.join(map(str, icons.HICOLOR_SIZES))}; "
                         f".ico; .icns) with QtSvg")


def catalogues_step() -> Step:
    """The translation catalogues (.po, committed) compiled into the .mo files the app reads (never committed)."""
    command = Command((sys.executable, str(REPO / "tools" / "translations.py"), "compile"), env={})
    return Step("compile the translation catalogues", [command])


def freeze_step(layout: Layout, epoch: int, trim: bool) -> Step:
    command = Command(
        (sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(layout.dist), "--workpath", str(layout.work), str(SPEC)),
        env={"SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0", "TAKEBACK_BUNDLE_TRIM": "1" if trim else "0",
             "TAKEBACK_ICONS": str(layout.icons.folder)},
    )
    return Step("freeze the app with PyInstaller", [command])


def slim_steps(layout: Layout) -> list[Step]:
    """Linux: smaller libraries with the same code. ``smoke.py`` and ``tests/release`` check the result runs."""
    bundle = layout.bundle("linux")

    def strip() -> None:
        count, saved = linux.strip_debug_symbols(bundle)
        print(f"    stripped {count} libraries: {saved / 1e6:.1f} MB less", flush=True)

    def stub_encoders() -> None:
        for library, before, after in encoder_stubs.replace_encoders(bundle, layout.work / "stubs"):
            print(f"    {library.name}: {before / 1e6:.1f} MB -> {after / 1e3:.0f} kB (stub)", flush=True)

    def trim_icu() -> None:
        for library in sorted(path for path in bundle.rglob("libicudata.so.*") if not path.is_symlink()):
            before, after = icu_data.trim_icu_data(library, bundle_rules.APP_LANGUAGES)
            print(f"    {library.name}: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB", flush=True)

    def swap_numpy_blas() -> None:
        before, after = numpy_blas.swap_numpy_blas(bundle / "_internal")
        print(f"    NumPy's OpenBLAS, gfortran, quadmath {before / 1e6:.1f} MB -> ILP64 reference BLAS/LAPACK "
              f"{after / 1e6:.1f} MB", flush=True)

    return [
        Step("replace video encoders the app never calls with failing stubs", action=stub_encoders,
             describe="gcc " + ", ".join(f"{stub.source.relative_to(REPO)} -> {stub.pattern}"
                                         for stub in encoder_stubs.STUBS)
                      + " (same sonames), each checked with nm to export every symbol the bundle imports from it"),
        Step("strip debug symbols from the bundled libraries", action=strip,
             describe=f"strip --strip-unneeded on each library in {bundle} that carries symbols or debug "
                      "sections (never the two programs: PyInstaller appends their archive)"),
        # After strip, so strip never rewrites a file patchelf has just moved (see linux.py's WORKAROUND).
        Step("swap NumPy's OpenBLAS for Debian's ILP64 reference BLAS/LAPACK", action=swap_numpy_blas,
             describe=f"patchelf NumPy to libblas64.so.3/liblapack64.so.3 copied into _internal/{numpy_blas.FOLDER} "
                      "(numpy_blas.py)"),
        Step("cut Qt's ICU data to the app's languages", action=trim_icu,
             describe=f"libicudata: keep {', '.join(bundle_rules.APP_LANGUAGES)} and shared data (icu_data.py)"),
    ]


def smoke_step(layout: Layout, system: str) -> Step:
    bundle = layout.bundle(system)
    return Step("smoke-test the frozen programs against the source tree",
                [Command((sys.executable, str(PACKAGING / "smoke.py"), str(bundle)))])


def sbom_and_sums_steps(layout: Layout, system: str, epoch: int) -> list[Step]:
    stem = names.artefact_stem(system)
    out = layout.release / f"{stem}.cdx.json"
    tocs = [layout.work / "takeback" / "PYZ-00.toc", layout.work / "takeback" / "COLLECT-00.toc"]

    def write_sbom() -> None:
        sbom.write(out, source_date_epoch=epoch, system=system, arch=names.machine(),
                   tocs=[toc for toc in tocs if toc.is_file()], bundle=layout.bundle(system))

    def write_sums() -> None:
        print(checksums.write_sums(layout.release).read_text(encoding="utf-8"), end="")

    return [
        Step("write the software bill of materials", action=write_sbom,
             describe=f"CycloneDX {sbom.SPEC_VERSION} JSON of the bundled distributions and native libraries -> {out}"),
        Step("write SHA256SUMS", action=write_sums,
             describe=f"sha256 of every file in {layout.release} -> {layout.release / checksums.SUMS_NAME}"),
    ]


#: ``dpkg-deb`` options per ``--deb-compression``. xz (dpkg's own default) makes the download 17% smaller than
#: zstd -9 (98.8 against 118.9 MB here) for about three minutes on two cores instead of 15 s; at least two
#: threads, because liblzma's multi-threaded output does not depend on how many there are, so the bytes stay
#: reproducible on any machine. zstd -9 is for builds nobody downloads (the test suite's).
DEB_COMPRESSION = {
    "xz": ("-Zxz", "-z6", f"--threads-max={max(2, os.cpu_count() or 2)}"),
    "zstd": ("-Zzstd", "-z9"),
}


def linux_steps(layout: Layout, epoch: int, signer: GpgSigning | None, deb_compression: str = "xz") -> list[Step]:
    stem = names.artefact_stem("linux")
    tarball = layout.release / f"{stem}.tar.gz"
    deb = layout.release / deb_name()
    bundle = layout.bundle("linux")
    extras = layout.work / "tarball-extras"
    deb_root = layout.work / "deb"

    def make_tarball() -> None:
        shutil.rmtree(extras, ignore_errors=True)
        linux.stage_share(extras / "share", layout.icons, names.APP_NAME, epoch)
        script = extras / "install-desktop-entry.sh"
        script.write_text(linux.install_script(), encoding="utf-8")
        script.chmod(0o755)
        write_reproducible_tarball(bundle, tarball, root=stem, epoch=epoch, extras=extras)

    def stage() -> None:
        linux.stage_deb(deb_root, bundle, layout.icons, epoch, names.machine())

    share = deb_root / "usr" / "share"
    steps = [
        Step("pack the bundle into a reproducible tarball", action=make_tarball,
             describe=f"{bundle} + menu entry, icons and install-desktop-entry.sh -> {tarball} "
                      f"(sorted entries, owner 0, mtime SOURCE_DATE_EPOCH={epoch})"),
        Step("lay out the .deb", action=stage,
             describe=f"{bundle} -> {deb_root}{linux.INSTALL_PREFIX}, /usr/bin/{names.APP_ID}, the menu entry, "
                      "AppStream metainfo and hicolor icons; DEBIAN/control with the system libraries it needs"),
        Step("check the menu entry and the AppStream metainfo", [
            Command(("desktop-file-validate", str(share / "applications" / f"{names.DESKTOP_ID}.desktop"))),
            Command(("appstreamcli", "validate", "--no-net", "--pedantic",
                     str(share / "metainfo" / f"{names.DESKTOP_ID}.metainfo.xml"))),
        ]),
        Step("build the .deb", [Command(
            ("dpkg-deb", "--root-owner-group", *DEB_COMPRESSION[deb_compression], "--build", str(deb_root),
             str(deb)),
            env={"SOURCE_DATE_EPOCH": str(epoch)})]),
    ]
    steps += sbom_and_sums_steps(layout, "linux", epoch)
    if signer is not None:
        sums = layout.release / checksums.SUMS_NAME
        steps.append(Step("sign SHA256SUMS (detached, armoured) and check the signature",
                          [signer.sign(sums), signer.verify(sums)]))
    return steps


def windows_steps(layout: Layout, epoch: int, signer: WindowsSigning | None, env: Mapping[str, str]) -> list[Step]:
    bundle = layout.bundle("windows")
    programs = [bundle / f"{name}.exe" for name in names.executable_names("windows")]
    stem = names.artefact_stem("windows")
    installer = layout.release / f"{stem}-setup.exe"
    steps = []
    if signer is not None:
        steps.append(Step("sign both programs (Authenticode, SHA-256, RFC 3161 timestamp)",
                          [signer.sign(programs), signer.verify(programs)]))
    steps.append(Step("compile the Inno Setup installer", [inno_command(layout, stem, signer, env)]))
    if signer is not None:
        steps.append(Step("check the installer's signature", [signer.verify([installer])]))
    return steps + sbom_and_sums_steps(layout, "windows", epoch)


def inno_command(layout: Layout, stem: str, signer: WindowsSigning | None, env: Mapping[str, str]) -> Command:
    """ISCC with every name and version passed in from ``desktop/about.py``: the script retypes none."""
    defines = {
        "AppName": names.APP_NAME,
        "AppId": names.APP_ID,
        "AppVersion": names.__version__,
        # A fixed GUID derived from the app id, so every version upgrades the same installation.
        "AppGuid": str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{names.APP_ID}.desktop-app")).upper(),
        "GuiExe": f"{names.executable_names('windows')[1]}.exe",
        "ConsoleExe": f"{names.executable_names('windows')[0]}.exe",
        "SourceDir": str(layout.bundle("windows")),
        "OutputDir": str(layout.release),
        "OutputBaseFilename": f"{stem}-setup",
        "IconFile": str(layout.icons.ico),
    }
    argv = [env.get("TAKEBACK_ISCC") or "iscc", "/Q"]
    argv += [f"/D{key}={value}" for key, value in defines.items()]
    secrets: frozenset[str] = frozenset()
    if signer is not None:
        # Inno Setup signs the installer and the uninstaller it embeds with this command ("$f" = the file).
        argv += ["/DSign=1", f"/Stakeback={signer.inno_sign_tool()}"]
        secrets = frozenset({signer.cert_password} if signer.cert_password else set())
    argv.append(str(ISS))
    return Command(tuple(argv), secrets=secrets, windows=True)


def macos_steps(layout: Layout, epoch: int, signer: MacSigning | None) -> list[Step]:
    app = layout.bundle("macos")
    stem = names.artefact_stem("macos")
    dmg = layout.release / f"{stem}.dmg"
    staging = layout.work / "dmg"
    steps = []
    if signer is not None:
        steps.append(macos_codesign_step(app, signer))
    steps.append(Step("make the disk image (the app and a link to Applications)", [
        Command(("rm", "-rf", str(staging))),
        Command(("mkdir", "-p", str(staging))),
        Command(("ditto", str(app), str(staging / app.name))),  # ditto keeps signatures and extended attributes
        Command(("ln", "-s", "/Applications", str(staging / "Applications"))),
        Command(("hdiutil", "create", "-volname", names.APP_NAME, "-srcfolder", str(staging), "-ov",
                 "-format", "UDZO", str(dmg))),
    ]))
    if signer is not None:
        steps.append(Step("sign, notarise and staple the disk image",
                          [signer.sign_disk_image(dmg), signer.notarize(dmg), *signer.staple(dmg)]))
    return steps + sbom_and_sums_steps(layout, "macos", epoch)


def macos_codesign_step(app: Path, signer: MacSigning) -> Step:
    """Sign inside-out: every nested library, then the programs (with entitlements), then the app itself."""
    executables = [app / "Contents" / "MacOS" / name for name in reversed(names.executable_names("macos"))]

    def commands_for(nested: list[Path]) -> list[Command]:
        commands = [signer.codesign(path, executable=False) for path in nested]
        commands += [signer.codesign(path, executable=True) for path in executables]
        return commands + [signer.codesign(app, executable=True), signer.verify_app(app)]

    def nested_binaries() -> list[Path]:
        found = (path for path in (app / "Contents").rglob("*")
                 if path.is_file() and not path.is_symlink() and path not in executables and _is_mach_o(path))
        return sorted(found, key=lambda path: (-len(path.parts), str(path)))  # deepest first

    example = [app / "Contents" / "Frameworks" / "<each nested .so, .dylib and framework binary, deepest first>"]
    return Step("codesign the nested binaries, the programs and the app (hardened runtime)",
                commands_for(example), deferred=lambda: commands_for(nested_binaries()))


def _is_mach_o(path: Path) -> bool:
    with path.open("rb") as stream:
        magic = stream.read(4)
    return magic in {b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xfe\xed\xfa\xcf"}


def deb_name() -> str:
    """``takeback_0.1.0_amd64.deb``: Debian's own naming (package, version, architecture)."""
    arch = {"x86_64": "amd64", "arm64": "arm64"}.get(names.machine(), names.machine())
    return f"{names.APP_ID}_{names.__version__}_{arch}.deb"


def write_reproducible_tarball(source: Path, out: Path, *, root: str, epoch: int, extras: Path | None = None) -> None:
    """A gzip tarball whose bytes depend only on the files: sorted names, fixed owner, mode and times.

    ``extras``, when given, is a folder whose contents are added under ``root`` beside ``source``'s.

    Raises:
        FileNotFoundError: ``source`` is not a folder (freeze first).
    """
    if not source.is_dir():
        raise FileNotFoundError(f"{source} is not a folder: freeze the app first")
    out.parent.mkdir(parents=True, exist_ok=True)

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mtime = epoch
        if info.isfile() or info.isdir():
            info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
        return info

    entries = [(path, path.relative_to(source).as_posix()) for path in source.rglob("*")]
    if extras is not None:
        entries += [(path, path.relative_to(extras).as_posix()) for path in extras.rglob("*")]
    entries.sort(key=lambda entry: entry[1])
    # gzip level 6 (gzip's own default): level 9 takes twice as long for 1% less on these binaries.
    with out.open("wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=6) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(source, arcname=root, recursive=False, filter=normalise)
        for path, name in entries:
            tar.add(path, arcname=f"{root}/{name}", recursive=False, filter=normalise)


def plan(args: argparse.Namespace, env: Mapping[str, str], layout: Layout) -> list[Step]:
    """Every step of this build, in order; raises SigningConfigError when ``--sign`` lacks its inputs."""
    system = args.target
    epoch = source_date_epoch(env)
    signer: GpgSigning | WindowsSigning | MacSigning | None = None
    if args.sign:
        if system == "linux":
            signer = GpgSigning.from_env(env)
        elif system == "windows":
            signer = WindowsSigning.from_env(env, description=names.APP_NAME)
        else:
            signer = MacSigning.from_env(env, ENTITLEMENTS)
    drift = drift_from_pins()
    pins_note = ("installed versions match packaging/requirements-build.txt" if not drift else
                 "NOT the pinned build inputs (fine for a trial, not for a release): " + "; ".join(drift))
    steps = [Step("check inputs", describe=f"target {system}, version {names.__version__}, "
                                           f"SOURCE_DATE_EPOCH={epoch}, signing: {'yes' if signer else 'no'}; "
                                           f"{pins_note}")]
    steps.append(icons_step(layout))
    if not args.skip_freeze:
        steps.append(catalogues_step())
        steps.append(freeze_step(layout, epoch, trim=not args.no_trim))
        if system == "linux" and not args.no_trim:
            steps += slim_steps(layout)
    if args.smoke:
        steps.append(smoke_step(layout, system))
    steps.append(Step("start from an empty release folder", action=lambda: _empty(layout.release),
                      describe=f"remove {layout.release}"))
    if system == "linux":
        steps += linux_steps(layout, epoch, signer, args.deb_compression)
    elif system == "windows":
        steps += windows_steps(layout, epoch, signer, env)
    else:
        steps += macos_steps(layout, epoch, signer)
    return steps


def _empty(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="build.py", description="Build, sign and package a Takeback release.")
    parser.add_argument("--target", choices=names.SYSTEMS, help="the system to build for (default: this one)")
    parser.add_argument("--sign", action="store_true", help="sign with the secrets from the environment")
    parser.add_argument("--dry-run", action="store_true", help="check inputs and print every command; run none")
    parser.add_argument("--smoke", action="store_true", help="smoke-test the frozen programs after freezing")
    parser.add_argument("--skip-freeze", action="store_true", help="package an existing dist/ bundle")
    parser.add_argument("--no-trim", action="store_true", help="keep every collected file (to measure trimming)")
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="output folder (default: dist/)")
    parser.add_argument("--deb-compression", choices=sorted(DEB_COMPRESSION), default="xz",
                        help="the .deb's compressor (default xz: the smallest download; zstd: seconds, for tests)")
    args = parser.parse_args(argv)
    host = names.current_system()
    args.target = args.target or host
    if args.target != host and not args.dry_run:
        parser.error(f"PyInstaller builds only for the system it runs on ({host}); "
                     f"use --dry-run to check a {args.target} release's inputs here")
    return args


def main(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    args = parse_args(argv)
    env = os.environ if env is None else env
    layout = Layout(dist=args.out.resolve(), work=(args.out.parent / "build" / "pyinstaller").resolve())
    try:
        steps = plan(args, env, layout)
    except SigningConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    mode = "dry run: nothing is built, signed or uploaded" if args.dry_run else "building"
    print(f"{names.APP_NAME} {names.__version__} for {args.target} ({mode})", flush=True)
    for number, step in enumerate(steps, start=1):
        step.show(number)
        if not args.dry_run:
            started = time.monotonic()
            step.run()
            print(f"    ({time.monotonic() - started:.1f} s)", flush=True)
    if not args.dry_run:
        print(f"Release files are in {layout.release}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
