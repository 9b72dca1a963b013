"""An index on disk, read side: its files, the manifest that names the current generation, opening and checking.

    index/
        manifest.json      what the generation is (folder, model, chunker): written last by a build that
                           makes a new generation, its commit point
        build.lock         locked by the one build running (see `cableqa.buildlock`)
        update.partial.sqlite  what an update stopped midway had embedded, for the next run to reuse
        gen-000003/        the generation the manifest names
            cables.sqlite  cables, sections, windows (with vectors), FTS5, and what the generation holds
                           now (`IndexState`): an update changes it in place, in one SQLite transaction
            vectors.faiss  the window vectors as of the last fold, for nearest-neighbour search; the
                           windows added or removed since are applied from the database when it is opened
        gen-000002/        the one before, kept until the next new generation for readers that read the old manifest

A new generation is made by the first build, `--rebuild`, the repair of a damaged generation and the
update of an index an older cableqa built; every other update changes the current one in place.

"Is this an index?" is `is_index`, here and nowhere else; "what is it instead?" is `not_an_index`.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from cableqa.errors import CableQAError, IndexDamaged
from cableqa.files import file_sha256

# 3: what the generation holds (counts, vector file) moved from the manifest into its database,
# which updates change in place. 2 (the cable_refs table) is still read, and updated into a new generation.
FORMAT_VERSION = 3
READABLE_FORMATS = (2, 3)
CHUNKER_VERSION = "2"  # bump when sectioning or windowing changes what gets embedded
MANIFEST = "manifest.json"
DATABASE = "cables.sqlite"
VECTORS = "vectors.faiss"  # a generation's first vector file; a fold writes `vectors-N.faiss` (`IndexState`)
GENERATION_FILES = (DATABASE, VECTORS)  # what a format-2 manifest records
# A reader whose generation was replaced between reading the manifest and opening its files
# reads the manifest again; builds are serialised, so a second swap in that instant is rare.
OPEN_ATTEMPTS = 5


def is_index(directory: str | os.PathLike) -> bool:
    """Whether `directory` holds an index (a manifest; whether it is sound is `open_index`'s business)."""
    return (Path(directory) / MANIFEST).is_file()


def not_an_index(directory: str | os.PathLike) -> CableQAError:
    """The one-line error for a folder that holds no index, saying what it is and what to run.

    A folder (or file) of cables given as the index is told apart: building the index there,
    in the user's cables folder, is the one thing not to suggest.
    """
    from cableqa.readers import holds_cables

    path = Path(directory)
    quoted = shlex.quote(str(path))
    if path.exists() and holds_cables(path):
        what, them = ("is a file of cables", "it") if path.is_file() else ("holds cables", "them")
        return CableQAError(f"{path} {what}, not an index; index {them} with `cableqa index {quoted} --index NEWDIR`")
    if path.is_file():
        return CableQAError(f"{path} is a file, not a cableqa index")
    absent = "" if path.exists() else " (it does not exist)"
    return CableQAError(
        f"{path} is not a cableqa index{absent}; build one with `cableqa index CABLES --index {quoted}`"
    )


@dataclass(frozen=True)
class FileRecord:
    """What is recorded of a file that never changes once written, to tell a damaged or truncated one."""

    size: int
    sha256: str

    def to_dict(self) -> dict:
        return {"size": self.size, "sha256": self.sha256}

    @classmethod
    def of(cls, path: Path) -> FileRecord:
        return cls(path.stat().st_size, file_sha256(path))


@dataclass(frozen=True)
class IndexState:
    """What a generation holds now: its counts and vector file.

    A format-3 generation keeps it in its database (`IndexReader.state`), written in the same
    transaction as the rows it describes, so that an update in place and its state commit together.
    A format-2 generation never changed once built, and its manifest recorded it (`Manifest.legacy_state`).
    """

    counts: dict[str, int]  # sources, cables, sections, vectors
    updated_at: str  # when the build or update that made this state ended
    vectors_file: str  # the FAISS file: the windows as of the last fold (`indexing.FOLD_MOST`)
    vectors_record: FileRecord | None
    # The largest window id the vector file holds: the windows above it were added since the fold,
    # and those at or below it that were removed are listed in the database (`windows_removed`).
    # None: the file holds every window (format 2).
    vectors_upto: int | None
    database_record: FileRecord | None = None  # format 2 only: its database never changed either
    kept_in: str = "the index state"  # where it is recorded, as a message names it

    def file_records(self) -> dict[str, FileRecord | None]:
        """Each file of the generation that never changes once written, with its record (None: none kept)."""
        records = {self.vectors_file: self.vectors_record}
        return records if self.kept_in == "the index state" else {DATABASE: self.database_record, **records}

    def to_json(self) -> str:
        return json.dumps(
            {
                "counts": self.counts,
                "updated_at": self.updated_at,
                "vectors": {
                    "file": self.vectors_file,
                    "upto": self.vectors_upto,
                    **(self.vectors_record.to_dict() if self.vectors_record else {}),
                },
            }
        )

    @classmethod
    def from_json(cls, text: str) -> IndexState:
        """The state a database records; ValueError for anything that is not one."""
        try:
            data = json.loads(text)
            vectors = _field(data, "vectors", dict)
            name = _field(vectors, "file", str, where="vectors")
            if name != Path(name).name or not name.endswith(".faiss"):
                raise ValueError(f"the vector file must be a .faiss file of the generation, not {name!r}")
            return cls(
                counts=_counts(_field(data, "counts", dict)),
                updated_at=_field(data, "updated_at", str),
                vectors_file=name,
                vectors_record=FileRecord(
                    _field(vectors, "size", int, where="vectors"), _field(vectors, "sha256", str, where="vectors")
                ),
                vectors_upto=_field(vectors, "upto", int, where="vectors"),
            )
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not an index state ({error})") from None


@dataclass(frozen=True)
class Manifest:
    """What a generation is: its folder, the model that embedded it, the chunker that cut it, and the
    files and folders it indexes (an update that adds one writes it here before it commits)."""

    generation: str
    model: str  # display name
    model_source: str  # what loads it: a model name, or the path of a local model folder
    dimension: int
    chunker: str
    roots: list[str]
    created_at: str
    legacy_state: IndexState | None = None  # what a format-2 manifest recorded its generation holds

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT_VERSION,
                "generation": self.generation,
                "model": {
                    "name": self.model,
                    "source": self.model_source,
                    "dimension": self.dimension,
                    "normalized": True,
                },
                "chunker": self.chunker,
                "roots": self.roots,
                "created_at": self.created_at,
            },
            indent=2,
        )

    @classmethod
    def read(cls, index_dir: Path) -> Manifest | None:
        """The manifest of `index_dir`, None when there is none; anything that is not one is a one-line error."""
        path = index_dir / MANIFEST
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise CableQAError(f"cannot read {path} ({error}); run `cableqa index --rebuild`") from None
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            if data.get("format") not in READABLE_FORMATS:
                raise CableQAError(
                    f"{index_dir} is an index of another format (version {data.get('format')!r});"
                    " run `cableqa index --rebuild`"
                )
            return cls._parse(data)
        except (ValueError, KeyError, TypeError) as error:
            raise CableQAError(f"{path} is not a cableqa manifest ({error}); run `cableqa index --rebuild`") from None

    @classmethod
    def _parse(cls, data: dict) -> Manifest:
        model = _field(data, "model", dict)
        generation = _field(data, "generation", str)
        if generation != Path(generation).name or not generation.startswith("gen-"):
            raise ValueError(f"'generation' must name a gen-* folder, not {generation!r}")
        legacy = _legacy_state(data) if data["format"] == 2 else None
        return cls(
            generation=generation,
            model=_field(model, "name", str, where="model"),
            model_source=_field(model, "source", str, where="model"),
            dimension=_field(model, "dimension", int, where="model"),
            chunker=_field(data, "chunker", str),
            roots=_strings(_field(data, "roots", list), "roots"),
            created_at=legacy.updated_at if legacy else _field(data, "created_at", str),
            legacy_state=legacy,
        )

    def check_compatible(self, model: str | None, index_dir: Path) -> None:
        """Refuse an index this cableqa (or `model`, when given) would not cut or embed the same way."""
        if self.chunker != CHUNKER_VERSION:
            raise CableQAError(
                f"the index in {index_dir} was cut by chunker version {self.chunker}, this cableqa uses"
                f" {CHUNKER_VERSION}; run `cableqa index --rebuild`"
            )
        if model is not None and self.model != model:
            raise CableQAError(
                f"the index in {index_dir} was built with model {self.model!r}, not {model!r};"
                " run `cableqa index --rebuild` (or pass the index's model)"
            )


def _legacy_state(data: dict) -> IndexState:
    """What a format-2 manifest recorded its generation holds."""
    sources = _field(data, "sources", dict)
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in sources.items()):
        raise ValueError("'sources' must map file paths to sha256 strings")
    files = {}
    for name, record in data.get("files", {}).items():
        if name not in GENERATION_FILES:
            raise ValueError(f"'files' names an unknown file {name!r}")
        files[name] = FileRecord(
            _field(record, "size", int, where=f"files.{name}"), _field(record, "sha256", str, where=f"files.{name}")
        )
    return IndexState(
        counts=_counts(_field(data, "counts", dict)),
        updated_at=_field(data, "built_at", str),
        vectors_file=VECTORS,
        vectors_record=files.get(VECTORS),
        vectors_upto=None,
        database_record=files.get(DATABASE),
        kept_in="the manifest",
    )


def _counts(counts: dict) -> dict[str, int]:
    for name in ("sources", "cables", "sections", "vectors"):
        _field(counts, name, int, where="counts")
    return {name: counts[name] for name in ("sources", "cables", "sections", "vectors")}


def _strings(values: list, name: str) -> list[str]:
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"'{name}' must be a list of paths")
    return values


def _field(data: object, name: str, kind: type, *, where: str = "") -> object:
    if not isinstance(data, dict):
        raise ValueError(f"{where or 'the manifest'} must be a JSON object")
    if name not in data:
        raise KeyError(f"{where}.{name}" if where else name)
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{where + '.' if where else ''}{name} must be of type {kind.__name__}")
    return value


@dataclass
class OpenIndex:
    """A generation opened for reading, as it stood when opened: its manifest, state, database and vectors.

    The database is read in one SQLite read transaction from opening to closing (`IndexReader`), and
    the vectors were loaded in it, so an update committed in place meanwhile is not seen (a new
    `open_index` sees it).
    """

    directory: Path
    manifest: Manifest
    state: IndexState
    store: object  # cableqa.store.reading.IndexReader
    vectors: object  # cableqa.vectors.Vectors (imported lazily: it imports faiss)
    size_bytes: int  # of the generation's files and the manifest, as opened

    def close(self) -> None:
        self.store.close()


class _GenerationGone(Exception):
    """The generation the manifest named was removed before its files were opened."""


def open_index(index_dir: str | os.PathLike) -> OpenIndex:
    """Open the current generation of an index for reading; a clear error when it is absent or broken.

    A build may replace the generation between reading the manifest and opening its files;
    then the manifest is read again.
    """
    directory = Path(index_dir)
    for _ in range(OPEN_ATTEMPTS):
        manifest = read_manifest(directory)
        try:
            return _open_generation(directory, manifest)
        except _GenerationGone:
            current = Manifest.read(directory)
            if current is None or current.generation == manifest.generation:
                raise IndexDamaged(directory, f"its generation folder {manifest.generation} is missing") from None
    raise CableQAError(f"the index in {directory} was replaced {OPEN_ATTEMPTS} times while it was opened; try again")


def read_manifest(directory: Path) -> Manifest:
    """The manifest of an index this cableqa can read; a one-line error for anything else."""
    manifest = Manifest.read(directory)
    if manifest is None:
        raise not_an_index(directory)
    manifest.check_compatible(None, directory)
    return manifest


def _open_generation(directory: Path, manifest: Manifest) -> OpenIndex:
    from cableqa.store.reading import IndexReader
    from cableqa.vectors import Vectors

    folder = directory / manifest.generation
    _require_file(directory, manifest, DATABASE)
    try:
        store = IndexReader(folder / DATABASE)
    except CableQAError:
        if not folder.is_dir():
            raise _GenerationGone from None
        raise
    try:
        state = store.state() or manifest.legacy_state
        if state is None:
            raise IndexDamaged(directory, f"{manifest.generation}/{DATABASE} records no index state")
        size = (directory / MANIFEST).stat().st_size + _generation_size(folder, state)
        for name, recorded in state.file_records().items():
            actual = _require_file(directory, manifest, name)
            if recorded is not None and recorded.size != actual:
                raise IndexDamaged(
                    directory, f"{manifest.generation}/{name} has {actual} bytes, {state.kept_in} says {recorded.size}"
                )
        vectors = Vectors.load(folder / state.vectors_file, manifest.dimension)
        if state.vectors_upto is not None:
            vectors.apply_changes(
                store.windows_removed(), store.window_vectors(manifest.dimension, after=state.vectors_upto)
            )
    except BaseException:
        store.close()
        raise
    # Against the recorded count, not by counting the database's rows: that took 14 s at 100,000 cables
    # (7.9 M rows); `check_index` counts them.
    recorded = state.counts["vectors"]
    if len(vectors) != recorded:
        store.close()
        raise IndexDamaged(
            directory, f"{len(vectors)} vectors in {state.vectors_file}, {state.kept_in} says {recorded}"
        )
    return OpenIndex(directory, manifest, state, store, vectors, size)


def _require_file(directory: Path, manifest: Manifest, name: str) -> int:
    """The size of a generation file; `_GenerationGone` when its folder is gone, damage when the file is."""
    folder = directory / manifest.generation
    try:
        return (folder / name).stat().st_size
    except (FileNotFoundError, NotADirectoryError):  # a file named as the generation folder: as gone
        if not folder.is_dir():
            raise _GenerationGone from None
        raise IndexDamaged(directory, f"{manifest.generation}/{name} is missing") from None


def _generation_size(folder: Path, state: IndexState) -> int:
    """Bytes of the database (with its write-ahead log) and the vector file."""
    names = (DATABASE, f"{DATABASE}-wal", state.vectors_file)
    return sum((folder / name).stat().st_size for name in names if (folder / name).is_file())


def check_index(index_dir: str | os.PathLike) -> list[str]:
    """Everything found wrong with an index's current generation (empty: it is sound).

    Verifies the manifest, each file that never changes (the vector file; a format-2 generation's
    database too) against its recorded size and sha256 (a file recorded without one, as in an index
    built before they were recorded or an edited one, is a problem: nothing could verify it),
    SQLite's `PRAGMA integrity_check`, and that the database holds what the state counts (its
    section count is the keyword weights' N, so a wrong one changes answers; opening checked the
    vectors against their count).
    """
    directory = Path(index_dir)
    try:
        index = open_index(directory)
    except CableQAError as error:
        return [getattr(error, "why", str(error))]
    try:
        state, generation = index.state, index.manifest.generation
        folder = directory / generation
        records = state.file_records()
        problems = [
            f"{generation}/{name} does not match its size and sha256 in {state.kept_in}"
            for name, recorded in records.items()
            if recorded is not None
            and ((folder / name).stat().st_size != recorded.size or file_sha256(folder / name) != recorded.sha256)
        ]
        unrecorded = [name for name, recorded in records.items() if recorded is None]
        if unrecorded:
            problems.append(
                f"{state.kept_in} records no size and sha256 for {', '.join(unrecorded)} (nothing to verify by)"
            )
        damage = [f"{DATABASE}: {problem}" for problem in index.store.integrity_problems()]
        stored = {} if damage else index.store.counts()
        problems += damage + [
            f"{state.kept_in} counts {state.counts[name]} {name}, {DATABASE} holds {count}"
            for name, count in stored.items()
            if count != state.counts[name]
        ]
    finally:
        index.close()
    return problems
