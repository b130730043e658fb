"""Results on disk: folders mobsim owns, crash-safe saves, atomic files.

**Ownership.** Every folder mobsim writes holds a ``manifest.json`` that says it was written by
mobsim (``"written_by": "mobsim"``), of which ``kind`` (``run``, ``compare``, ``sweep``, or
``figures`` for ``mobsim report --figures``) and which ``files`` it wrote. mobsim writes into a
folder only if it is new, empty, or holds a manifest of the same kind, and then replaces only the
files that manifest lists: every other file (a user's notes, a report, a figures folder) stays.
Anything else is refused with a ``FolderError`` (one line and exit 2 at the command line):
a folder of other files, a ``manifest.json`` that mobsim did not write, results of another kind,
or a file of the user's with the name of one mobsim is about to write. Manifests written by
mobsim before ownership was recorded are recognised by their keys.

**Crash safety.** ``save_folder`` fills a hidden staging folder beside the target
(``.NAME.mobsim-save-PID-XXXX``) with the new files and with hard links to every entry of the
target that mobsim did not write, then swaps the two folders in one atomic step
(``renameat2(RENAME_EXCHANGE)`` on Linux) and deletes the staging folder, which now holds the old
results. Killed at any point, the target holds either the old results or the new ones, complete,
and the user's files either way. Where the atomic swap is not available, two renames are used;
a crash between them leaves the old folder under ``.NAME.mobsim-old-PID-XXXX`` and the next
save, or ``recover``, moves it back. Stray staging folders of an earlier crash are removed by
the next save of the same folder, and only those: their names follow the pattern above and
their process is gone, so mobsim never deletes what it did not write.

Single files (sweep runs, reports, ``sensitivity.csv``) are written with ``atomic_file``: a
temporary file in the same folder, moved into place with ``os.replace``.

**A stop after a save.** ``SAVED`` lists the folders this process has put in place, appended in the
same step as the swap (with the stop signals held, ``sim.executor.stop_signals_held``): a Ctrl-C or SIGTERM that
arrives once a folder is in place says so (``sim.cli``) instead of "nothing was written".
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from sim.executor import stop_signals_held

MANIFEST = "manifest.json"
WRITTEN_BY = "mobsim"
KINDS = ("run", "compare", "sweep", "figures")
#: Entries of a sweep store that mobsim writes (the store grows in place, run by run).
SWEEP_LOCK = ".mobsim.lock"
SWEEP_ENTRIES = (MANIFEST, "points.parquet", "runs", "failed", "daily", "sensitivity.csv", "results.xlsx", SWEEP_LOCK)
_STAGING = re.compile(r"^\.(?P<name>.+)\.mobsim-(?P<what>save|old)-(?P<pid>\d+)-[A-Za-z0-9_]+$")


class FolderError(ValueError):
    """A folder or file that mobsim must not write: the message says why and what to do."""


# --------------------------------------------------------------------------- provenance


def mobsim_version() -> str:
    """The installed mobsim's version ("unknown" when run from a source tree that is not installed)."""
    return package_version("mobsim", missing="unknown")


def package_version(name: str, missing: str = "not installed") -> str:
    """The installed version of a package, for manifests."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return missing


# --------------------------------------------------------------------------- ownership


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's ``manifest.json`` as a dict, or None if there is none or it is not a JSON object."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def owner(folder: Path) -> tuple[str, set[str]] | None:
    """The kind of mobsim results in ``folder`` and the entries mobsim wrote there, or None if not mobsim's."""
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    kind = manifest.get("kind") if manifest.get("written_by") == WRITTEN_BY else _legacy_kind(manifest)
    if kind not in KINDS:
        return None
    if kind == "sweep":
        return kind, set(SWEEP_ENTRIES)
    files = manifest.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    entries = {f.split("/", 1)[0] for f in files} | {MANIFEST}
    if manifest.get("written_by") != WRITTEN_BY and kind == "run":
        entries |= {f"{Path(f).stem}.csv" for f in files if f.endswith(".parquet")}  # --csv copies were not listed then
    return kind, entries


def _legacy_kind(manifest: dict[str, Any]) -> str | None:
    """The kind of a manifest written before ``written_by`` existed (mobsim 0.1 until issue #11)."""
    if "mobsim_version" not in manifest:
        return None
    if "experiment_sha256" in manifest:
        return "sweep"
    if "strategies" in manifest and "scenario_sha256" in manifest:
        return "compare"
    if "scenario_name" in manifest and "scenario_sha256" in manifest:
        return "run"
    return None


def ownership(kind: str, files: Iterable[str]) -> dict[str, Any]:
    """The manifest entries that mark a folder as mobsim's: who wrote it, which kind, which files."""
    return {"written_by": WRITTEN_BY, "kind": kind, "files": sorted(set(files) | {MANIFEST})}


def check_folder(directory: str | Path, kind: str, writes: Iterable[str] = ()) -> Path:
    """The folder as an absolute path if mobsim may write ``kind`` results there; nothing is written.

    Args:
        directory: the results folder. A symbolic link to a folder is followed (the link stays).
        kind: ``run``, ``compare``, ``sweep`` or ``figures``.
        writes: names of the entries the save will write, checked against the user's files.

    Raises:
        FolderError: saying why the folder cannot be used.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    target = Path(os.path.abspath(directory))  # resolves '..' (so the folder has a name) without following links
    if target.is_symlink():
        real = Path(os.path.realpath(target))
        if not real.is_dir():
            raise FolderError("is a symbolic link to something that is not a folder; give a folder")
        target = real
    if not target.name:
        raise FolderError("expected a results folder, not the file-system root")
    if _STAGING.match(target.name):
        raise FolderError("is a name mobsim uses for its temporary folders; choose another name")
    recover(target)
    if target.exists():
        if not target.is_dir():
            raise FolderError("exists and is not a folder")
        entries = {p.name for p in target.iterdir()} - {SWEEP_LOCK}  # a sweep may be killed between taking its lock and its manifest
        if entries:
            found = owner(target)
            if found is None:
                why = "a manifest.json that mobsim did not write" if MANIFEST in entries else "other files (no manifest.json)"
                raise FolderError(f"exists and holds {why}; mobsim writes only into new, empty or its own folders: choose another folder")
            if found[0] != kind:
                raise FolderError(f"holds the results of a mobsim {found[0]}, not of a {kind}; choose another folder")
            clash = sorted((entries - found[1]) & set(writes))
            if clash:
                raise FolderError(f"holds '{clash[0]}', which mobsim did not write and would replace; move it or choose another folder")
    _check_writable(target)
    return target


def _check_writable(target: Path) -> None:
    """Refuse ``target`` if it could not be created: its nearest existing ancestor is not a writable folder."""
    parent = target.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise FolderError(f"'{parent}' is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FolderError(f"cannot write in '{parent}'")


# --------------------------------------------------------------------------- saving a folder


#: The folders this process has saved (``save_folder``), each appended in the same step as the swap that put it in place
SAVED: list[Path] = []


def _step(name: str) -> None:
    """A point between two steps of a save (fault-injection tests replace this to crash there)."""


def save_folder(directory: str | Path, kind: str, write: Callable[[Path], None], manifest: dict[str, Any]) -> Path:
    """Save results as the folder ``directory``: old results or new, complete, whatever happens.

    Args:
        directory: the results folder (checked with ``check_folder``).
        kind: what the folder holds (see ``KINDS``).
        write: fills the empty staging folder it is given with the new files (not ``manifest.json``).
        manifest: provenance; the ownership entries (``ownership``) are added and it is written last.

    Returns:
        The folder's absolute path.

    Raises:
        FolderError: the folder cannot be used (nothing was written).
    """
    target = check_folder(directory, kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_strays(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.mobsim-save-{os.getpid()}-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private to its owner
        write(staging)
        _step("written")
        new = {p.name for p in staging.iterdir()}
        (staging / MANIFEST).write_text(json.dumps({**manifest, **ownership(kind, new)}, indent=2, default=str), encoding="utf-8")
        _step("manifest")
        replacing = target.exists()
        if replacing:
            kept = _user_entries(target, kind, new)
            for name in kept:
                _link_tree(target / name, staging / name)
            _step("linked")
        with stop_signals_held():  # the folder in place and noted as saved, with no stop in between
            if replacing:
                _swap(staging, target)
            else:
                os.replace(staging, target)
            SAVED.append(target)
        _step("swapped")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # after the swap it holds the old results
        raise
    shutil.rmtree(staging, ignore_errors=True)
    _step("cleaned")
    return target


def _user_entries(target: Path, kind: str, new: set[str]) -> list[str]:
    """Entries of ``target`` that mobsim did not write; refused if one has the name of a new entry."""
    found = owner(target)
    entries = {p.name for p in target.iterdir()}
    if found is None or found[0] != kind:
        if entries:  # the folder changed since it was checked
            raise FolderError(f"no longer holds mobsim {kind} results (it changed during the run); nothing was written")
        return []
    kept = sorted(entries - found[1])
    clash = [name for name in kept if name in new]
    if clash:
        raise FolderError(f"holds '{clash[0]}', which mobsim did not write and would replace; nothing was written")
    return kept


def _link_tree(source: Path, dest: Path) -> None:
    """Recreate ``source`` at ``dest``: files as hard links (copies across file systems), links as links."""
    if source.is_symlink():
        os.symlink(os.readlink(source), dest)
    elif source.is_dir():
        dest.mkdir()
        shutil.copystat(source, dest)
        for child in source.iterdir():
            _link_tree(child, dest / child.name)
    else:
        try:
            os.link(source, dest)
        except OSError:
            shutil.copy2(source, dest)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); OSError(ENOSYS) where unavailable."""
    function = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if function is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target`` and the old ``target`` at ``staging``."""
    try:
        _exchange(staging, target)
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EPERM, errno.EXDEV):
            raise
    # two renames; a crash between them leaves the old folder at `old`, and `recover` moves it back
    old = staging.with_name(staging.name.replace(".mobsim-save-", ".mobsim-old-", 1))
    os.replace(target, old)
    _step("moved-old")
    os.replace(staging, target)
    os.replace(old, staging)


def recover(target: Path) -> None:
    """If a save was killed between its two renames (no atomic swap), move the old results back to ``target``."""
    if target.exists() or not target.parent.is_dir():
        return
    olds = [p for p in _strays(target) if _STAGING.match(p.name)["what"] == "old"]  # type: ignore[index]
    if olds:
        os.replace(max(olds, key=lambda p: p.stat().st_mtime), target)


def _strays(target: Path) -> list[Path]:
    """Staging folders of ``target`` left by saves whose process is gone."""
    out = []
    for path in target.parent.glob(f".{glob_escape(target.name)}.mobsim-*"):
        match = _STAGING.match(path.name)
        if match and match["name"] == target.name and path.is_dir() and not path.is_symlink() and not _alive(int(match["pid"])):
            out.append(path)
    return out


def glob_escape(name: str) -> str:
    """``name`` with the glob wildcards ``*?[`` escaped."""
    return re.sub(r"([*?\[])", r"[\1]", name)


def _remove_strays(target: Path) -> None:
    for path in _strays(target):
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier save of this process (killed saves do not come back)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --------------------------------------------------------------------------- single files


def atomic_file(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Write ``path`` atomically: ``write`` fills a temporary file in the same folder, which is then moved into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(name))
        os.chmod(name, 0o644)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return path


def atomic_json(path: str | Path, data: dict[str, Any]) -> Path:
    return atomic_file(path, lambda p: p.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8"))


def remove_temp_files(folder: Path) -> None:
    """Remove the temporary files ``atomic_file`` leaves in ``folder`` when killed (``.NAME.XXXX.tmp``)."""
    for stray in folder.glob(".*.tmp"):
        if stray.is_file() and not stray.is_symlink():
            stray.unlink(missing_ok=True)


def check_report_file(path: str | Path, is_report: Callable[[Path], bool]) -> Path:
    """The report file as an absolute path if mobsim may write it: new, or a report mobsim wrote.

    Raises:
        FolderError: the path is a folder, a link, or a file that ``is_report`` does not recognise.
    """
    target = Path(os.path.abspath(path))
    if target.is_symlink():
        raise FolderError("is a symbolic link; give the path of a new file or of a report mobsim wrote")
    if target.exists():
        if not target.is_file():
            raise FolderError("exists and is not a file")
        if not is_report(target):
            raise FolderError("exists and is not a report written by mobsim; mobsim replaces only its own reports: choose another file")
    _check_writable(target)
    return target
