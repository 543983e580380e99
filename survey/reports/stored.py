"""Breakdowns computed once and kept, under a fingerprint of everything they come from.

Protecting the breakdowns of a 100-school campaign takes half a minute or more of CPU
(one system of sums per question over every school, answer language, school type and
Sozialindex level, checked with exact rank tests), too long for a web request and too
long to repeat for every download. A closed campaign's answers are frozen, so its
breakdowns come out the same every time: they are computed once and kept in a folder
(``REPORT_STORE``, by default ``instance/reports``).

The key is a fingerprint of every input: the counts by school and answer language,
the unit figures with their status (the breakdowns are protected around them), the
schools' districts, types and Sozialindex, the questionnaires, k, and the source of the
protection itself. A school's Sozialindex edited after closing, another k, or a new
version of ``suppress`` gives another fingerprint: a kept file never meets figures it
was not protected with (that would break the one system of sums every output shares).

Files are written to a temporary name and renamed, so a reader sees a whole file or
none; two processes that miss the same fingerprint take turns on a lock file, and the
second finds the first one's result (``compute_once``).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import importlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pandas as pd

log = logging.getLogger(__name__)

#: the modules whose code decides what a kept file holds: any change to them is another
#: fingerprint (the inputs' hash covers the data)
_CODE = ("survey.core.suppress", "survey.reports.breakdowns")
#: kept files of other fingerprints beyond this many per campaign are deleted
KEEP_PER_CAMPAIGN = 3
_NUMBERS = ("n", "percent")
#: rows read at a time when only some are wanted
CHUNK_ROWS = 20_000


def code_digest() -> str:
    digest = hashlib.sha256()
    for name in _CODE:
        digest.update(Path(importlib.import_module(name).__file__).read_bytes())
    return digest.hexdigest()


def fingerprint(frames: Iterable[pd.DataFrame], facts: object) -> str:
    """sha256 over the frames' content (values, not their memory layout) and ``facts``
    (anything JSON can write, in a fixed order), and the protection's code."""
    digest = hashlib.sha256(code_digest().encode())
    for frame in frames:
        digest.update(",".join(map(str, frame.columns)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(json.dumps(facts, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _path(folder: Path, campaign_id: int, key: str) -> Path:
    return folder / f"breakdowns-{campaign_id}-{key}.csv.gz"


def load(
    folder: Path, campaign_id: int, key: str, where: Mapping[str, str] | None = None
) -> tuple[pd.DataFrame, list] | None:
    """The kept (frame, withheld) of ``key``, or None. The file is a gzipped CSV whose
    first line is a JSON object of what else was kept. ``where`` (column -> value): only
    those rows, read in chunks (a web download needs one unit's rows of a campaign's
    hundreds of thousands)."""
    path = _path(folder, campaign_id, key)
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as file:
            head = json.loads(file.readline())
            read = {
                "dtype": {c: str for c in head["columns"] if c not in _NUMBERS},
                "keep_default_na": False,
                "na_values": {c: [""] for c in _NUMBERS},
            }
            if where:
                chunks = [
                    chunk[_matching(chunk, where)]
                    for chunk in pd.read_csv(file, chunksize=CHUNK_ROWS, **read)
                ]
                frame = (
                    pd.concat(chunks, ignore_index=True)
                    if chunks
                    else pd.DataFrame(columns=head["columns"])
                )
            else:
                frame = pd.read_csv(file, **read)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, KeyError, pd.errors.ParserError):
        return None  # a damaged file is computed again
    if list(frame.columns) != head["columns"]:
        return None
    for column in _NUMBERS:
        frame[column] = frame[column].astype(float)
    return frame, [tuple(w) for w in head["withheld"]]


def _matching(frame: pd.DataFrame, where: Mapping[str, str]) -> pd.Series:
    found = pd.Series(True, index=frame.index)
    for column, value in where.items():
        found &= frame[column] == value
    return found


def save(folder: Path, campaign_id: int, key: str, frame: pd.DataFrame, withheld: list) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    head = {"columns": list(frame.columns), "withheld": [list(w) for w in withheld]}
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".breakdowns-", suffix=".tmp")
    try:
        with (
            os.fdopen(handle, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as packed,
            io.TextIOWrapper(packed, encoding="utf-8", newline="") as out,
        ):
            out.write(json.dumps(head, ensure_ascii=False) + "\n")
            frame.to_csv(out, index=False)  # in chunks: no second copy in memory
        os.replace(temporary, _path(folder, campaign_id, key))
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _forget_old(folder, campaign_id, keep=_path(folder, campaign_id, key))


def _forget_old(folder: Path, campaign_id: int, keep: Path) -> None:
    """Files of this campaign's earlier inputs (reopened, Sozialindex edited, a new
    protection): the newest few are kept, in case the inputs go back."""
    older = sorted(
        (p for p in folder.glob(f"breakdowns-{campaign_id}-*.csv.gz") if p != keep),
        key=_modified,
        reverse=True,
    )
    for path in older[KEEP_PER_CAMPAIGN - 1 :]:
        lock = folder / ("." + path.name.removesuffix(".csv.gz") + ".lock")
        for old in (path, lock):
            with contextlib.suppress(FileNotFoundError):
                old.unlink()


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process cleared it meanwhile
        return 0.0


@contextlib.contextmanager
def _locked(folder: Path, campaign_id: int, key: str) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".breakdowns-{campaign_id}-{key}.lock"
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:  # the file stays: a waiter holds it open (``_forget_old`` clears it later)
            fcntl.flock(lock, fcntl.LOCK_UN)


def compute_once(
    folder: Path, campaign_id: int, key: str, compute: Callable[[], tuple[pd.DataFrame, list]]
) -> tuple[pd.DataFrame, list]:
    """The kept result of ``key``, computed (and kept) by whichever caller comes first. A
    store that cannot be written is no reason to fail a report: the result is computed
    and returned, not kept (a warning says so)."""
    found = load(folder, campaign_id, key)
    if found is not None:
        return found
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(_locked(folder, campaign_id, key))
        except OSError as error:  # a folder that cannot be made or written: not kept
            log.warning("breakdowns are computed but not kept in %s: %s", folder, error)
            return compute()
        found = load(folder, campaign_id, key)  # another process may have finished meanwhile
        if found is not None:
            return found
        frame, withheld = compute()
        try:
            save(folder, campaign_id, key, frame, withheld)
        except OSError as error:
            log.warning("breakdowns are computed but not kept in %s: %s", folder, error)
            return frame, withheld
        # what a later load gives back, so that the first caller sees the same as the rest
        return load(folder, campaign_id, key) or (frame, withheld)
