"""Reading the project's data files and writing output files safely.

- :func:`find_data_file` resolves a scenario or experiment reference: a path, or a bare name
  looked up in ``./scenarios/`` (``./experiments/``) and then among the files shipped inside the
  package (``statecraft.scenarios``, ``statecraft.experiments``, found with
  :mod:`importlib.resources`, so they work after a plain ``pip install`` from any folder);
- :func:`read_toml` parses a TOML data file and checks its top-level keys;
- :func:`check_output_folder` / :func:`check_output_file`: the one rule of every command
  that writes (``run``, ``sweep``, ``report``, ``compare``, ``calibrate``, ``sensitivity``,
  ``validate``): never the root or the home folder, never through a symlink, never into a
  folder holding files the command did not write;
- :func:`atomic_write` writes a file under a temporary name and renames it into place;
- :func:`write_cache` / :func:`read_cache` keep a derived file (a merged table) with a
  record of its SHA-256 and of what it was derived from beside it, so a cache edited by hand
  or by another program is rebuilt, never trusted from what it says about itself.

Nothing in a data file is executed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any

from .errors import StatecraftError

__all__ = [
    "SHIPPED_FOLDERS",
    "atomic_write",
    "cache_changed",
    "check_integers",
    "check_output_file",
    "check_output_folder",
    "did_you_mean",
    "file_sha256",
    "find_data_file",
    "read_cache",
    "read_toml",
    "shipped",
    "shipped_path",
    "toml_problem",
    "write_cache",
]

#: Folder name -> package that ships its files.
SHIPPED_FOLDERS = {"scenarios": "statecraft.scenarios", "experiments": "statecraft.experiments"}


def shipped(folder: str) -> dict[str, Path]:
    """Files shipped in ``folder`` (``"scenarios"`` or ``"experiments"``): name -> path.

    Examples
    --------
    >>> from statecraft.files import shipped
    >>> "baseline" in shipped("scenarios")
    True
    """
    root = files(SHIPPED_FOLDERS[folder])
    return {
        Path(p.name).stem: Path(str(p))
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".toml")
    }


def shipped_path(folder: str, name: str) -> Path | None:
    """Path of the shipped file ``<folder>/<name>.toml``, or ``None``."""
    return shipped(folder).get(name)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def find_data_file(ref: str | Path, folder: str, what: str, error: type[StatecraftError]) -> Path:
    """Resolve ``ref`` to an existing file.

    A bare name (no suffix, not an existing path) is looked up as ``<folder>/<name>.toml`` in
    the current directory first, then among the files shipped with the package.

    Raises
    ------
    StatecraftError
        (of type ``error``) naming the file and, for a bare name, the shipped choices.
    """
    path = Path(ref)
    if not path.suffix and not path.exists():
        local = Path(folder) / f"{path}.toml"
        if local.is_file():
            return local
        ship = shipped(folder)
        if str(ref) in ship:
            return ship[str(ref)]
        raise error(
            f"{ref}: no such {what} file, nor a shipped {what}{did_you_mean(str(ref), ship)}; "
            f"shipped: {', '.join(ship)} (`statecraft {folder}` lists them)"
        )
    if path.is_dir():
        raise error(f"{path}: is a folder, not a {what} file")
    if not path.is_file():
        raise error(f"{path}: no such {what} file")
    return path


def toml_problem(err: ValueError) -> str:
    """What is wrong with a TOML text, in one line, from the error :func:`tomllib.loads` raised
    (an integer of thousands of digits fails Python's conversion limit, not the parser)."""
    if not isinstance(err, tomllib.TOMLDecodeError) and "integer string conversion" in str(err):
        return "an integer with more than 4,300 digits"
    return str(err).splitlines()[0] if str(err) else type(err).__name__


#: TOML integers are 64-bit signed (TOML 1.0: "if an integer cannot be represented losslessly,
#: an error must be thrown"); Python's reader accepts any length.
TOML_INT_RANGE = (-(2**63), 2**63 - 1)


def check_integers(data: Any, path: str | Path, error: type[StatecraftError]) -> None:
    """Refuse an integer outside TOML's 64-bit range anywhere in parsed TOML ``data``, naming
    its key (``1`` followed by 400 zeros would otherwise overflow deep inside a check)."""
    lo, hi = TOML_INT_RANGE
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, dict):
            stack += [(f"{key}.{k}" if key else str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(f"{key}[{i}]", v) for i, v in enumerate(value)]
        elif isinstance(value, int) and not isinstance(value, bool) and not lo <= value <= hi:
            digits = len(str(abs(value)))
            raise error(
                f"{path}: {key}: an integer of {digits} digits is outside TOML's 64-bit range "
                f"[{lo}, {hi}]"
            )


def read_toml(
    ref: str | Path,
    folder: str,
    what: str,
    error: type[StatecraftError],
    keys: set[str],
    hint: str = "",
    hint_names: Iterable[str] = (),
) -> tuple[Path, dict[str, Any]]:
    """Find and parse a TOML data file whose top-level keys must be among ``keys``.

    ``hint`` is added when an unknown top-level key is one of ``hint_names`` (a parameter
    name written at the top level, where it belongs in a table). A UTF-8 byte-order mark is
    accepted.

    Raises
    ------
    StatecraftError
        (of type ``error``) with a one-line message naming the file and the key.
    """
    path = find_data_file(ref, folder, what, error)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise error(f"{path}: not a UTF-8 text file") from None
    except ValueError as err:  # TOMLDecodeError, or an integer too long to convert
        raise error(f"{path}: malformed TOML: {toml_problem(err)}") from None
    except OSError as err:
        raise error(f"{path}: cannot read: {err.strerror}") from None
    except RecursionError:
        raise error(f"{path}: malformed TOML: arrays or tables nested too deeply") from None
    check_integers(data, path, error)
    unknown = sorted(set(data) - keys)
    if unknown:
        key = unknown[0]
        extra = f" ({hint})" if hint and key in set(hint_names) else did_you_mean(key, keys)
        raise error(
            f"{path}: unknown top-level key {key!r}{extra}; expected {', '.join(sorted(keys))}"
        )
    return path, data


def _refuse_special(path: Path, what: str, error: type[StatecraftError]) -> Path:
    resolved = path.resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise error(f"{what} {path}: refusing to write into {resolved}")
    if path.is_symlink():
        raise error(f"{what} {path}: is a symlink; give the path it points to")
    return resolved


def check_output_folder(
    out: str | Path,
    own: Iterable[str] | None,
    kind: str,
    what: str = "--out",
    error: type[StatecraftError] = StatecraftError,
) -> Path:
    """Refuse an output folder a command must not write into; return it as a Path.

    The rule every command that writes a folder applies before writing anything: the folder
    may be missing, empty, or hold only what the command itself writes there (``own``: file
    and folder names; ``None`` when the caller checks the contents itself, as a sweep does
    with its manifest). The root and the home folder, a symlink, a file, and a folder holding
    anything else are refused, so a typo in ``--out`` cannot overwrite or mix with unrelated
    files.

    Parameters
    ----------
    out : str or Path
    own : iterable of str or None
        Names the command writes at the top of the folder.
    kind : str
        What the folder is, for the message ("a run's output", "a report").
    what : str, default="--out"
        The option that named the folder.

    Raises
    ------
    StatecraftError
        (of type ``error``) in one line naming the folder and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from statecraft.files import check_output_folder
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "thesis.tex").write_text("years of work")
    13
    >>> try:
    ...     check_output_folder(d, {"report.md"}, "a report")
    ... except ValueError as err:
    ...     print(str(err).split(": ", 1)[1])
    is not empty and not a report folder (holds 'thesis.tex'); choose a new or empty folder
    """
    out = Path(out)
    _refuse_special(out, what, error)
    if out.exists() and not out.is_dir():
        raise error(f"{what} {out}: exists and is not a folder")
    if own is not None and out.is_dir():
        names = set(own)
        others = sorted(p.name for p in out.iterdir() if p.name not in names)
        if others:
            raise error(
                f"{what} {out}: is not empty and not {kind} folder (holds {others[0]!r}); "
                "choose a new or empty folder"
            )
    return out


def check_output_file(
    path: str | Path, what: str = "--out", error: type[StatecraftError] = StatecraftError
) -> Path:
    """Refuse an output file a command must not write: a folder, a symlink, a special file,
    or a path whose folder is a file. An existing regular file named on purpose is replaced.

    Raises
    ------
    StatecraftError
        (of type ``error``) in one line naming the path.
    """
    path = Path(path)
    _refuse_special(path, what, error)
    if path.exists() and not path.is_file():
        raise error(f"{what} {path}: exists and is not a regular file")
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise error(f"{what} {path}: {parent} is not a folder")
            break
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, write: Callable[[str], Any]) -> None:
    """Write ``path`` through a temporary file in the same folder, then :func:`os.replace` it.

    A reader, or a crash, never sees a half-written file under the final name. The file gets
    the usual permissions (0666 less the umask), not :func:`tempfile.mkstemp`'s private 0600.

    Parameters
    ----------
    path : str or Path
        Final file name; its folder must exist.
    write : callable
        ``write(tmp_path)`` writes the whole content to ``tmp_path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from statecraft.files import atomic_write
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(d / "a.txt", lambda tmp: pathlib.Path(tmp).write_text("hello"))
    >>> (d / "a.txt").read_text()
    'hello'
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise OSError(err.errno, err.strerror or str(err), str(path)) from err
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        # Name the file the user knows (a full disk: "<path>: No space left on device"), not
        # the temporary one.
        raise OSError(err.errno, err.strerror or str(err), str(path)) from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_sha256(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _cache_record(path: Path) -> Path:
    return path.with_name(f"{path.name}.sha256")


def write_cache(path: str | Path, write: Callable[[str], Any], key: str) -> None:
    """Write the derived file ``path`` atomically (``write(tmp_path)``, as :func:`atomic_write`)
    and beside it ``<path>.sha256``: the file's SHA-256 and ``key``, a digest of what it was
    derived from. :func:`read_cache` trusts ``path`` only while both match.

    Raises
    ------
    OSError
        If either file cannot be written (a read-only folder: the caller goes on uncached).
    """
    path = Path(path)
    digest: list[str] = []

    def write_and_hash(tmp: str) -> None:
        write(tmp)
        digest.append(file_sha256(tmp))

    atomic_write(path, write_and_hash)
    blob = json.dumps({"key": key, "sha256": digest[0]})
    atomic_write(_cache_record(path), lambda tmp: Path(tmp).write_text(blob, "utf-8"))


def read_cache(path: str | Path, key: str) -> Path | None:
    """``path`` if it is the intact cache derived from ``key`` (see :func:`write_cache`): its
    record names ``key`` and its bytes hash to the recorded SHA-256. ``None`` otherwise (no
    cache, a stale one, or one changed since it was written: rebuild it)."""
    path = Path(path)
    try:
        record = json.loads(_cache_record(path).read_text(encoding="utf-8"))
        if record["key"] == key and record["sha256"] == file_sha256(path):
            return path
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def cache_changed(path: str | Path, key: str) -> bool:
    """Whether ``path`` is a cache derived from ``key`` whose bytes changed since it was written
    (stale or missing caches are not "changed": they are merely rebuilt)."""
    path = Path(path)
    try:
        record = json.loads(_cache_record(path).read_text(encoding="utf-8"))
        return record["key"] == key and record["sha256"] != file_sha256(path)
    except (OSError, ValueError, KeyError, TypeError):
        return False
