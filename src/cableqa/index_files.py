"""An index on disk, read side: its files, the manifest that names the current generation, opening and checking.

    index/
        manifest.json      written last by a build: its commit point
        build.lock         locked by the one build running (see `cableqa.buildlock`)
        gen-000003/        the generation the manifest names
            cables.sqlite  cables, sections, windows (with vectors), FTS5
            vectors.faiss  the same vectors, for nearest-neighbour search
        gen-000002/        the one before, kept until the next build for readers that read the old manifest

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

FORMAT_VERSION = 2  # 2: the cable_refs table (the reference graph)
CHUNKER_VERSION = "2"  # bump when sectioning or windowing changes what gets embedded
MANIFEST = "manifest.json"
DATABASE = "cables.sqlite"
VECTORS = "vectors.faiss"
GENERATION_FILES = (DATABASE, VECTORS)
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
    """What the manifest knows of a generation file, to tell a damaged or truncated one."""

    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    generation: str
    model: str  # display name
    model_source: str  # what loads it: a model name, or the path of a local model folder
    dimension: int
    chunker: str
    roots: list[str]
    sources: dict[str, str]  # file path -> sha256
    counts: dict[str, int]
    built_at: str
    files: dict[
        str, FileRecord
    ]  # generation file name -> size and sha256; empty in indexes built before they were recorded

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
                "sources": self.sources,
                "counts": self.counts,
                "built_at": self.built_at,
                "files": {name: {"size": record.size, "sha256": record.sha256} for name, record in self.files.items()},
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
            if data.get("format") != FORMAT_VERSION:
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
        counts = _field(data, "counts", dict)
        for name in ("sources", "cables", "sections", "vectors"):
            _field(counts, name, int, where="counts")
        sources = _field(data, "sources", dict)
        if not all(isinstance(key, str) and isinstance(value, str) for key, value in sources.items()):
            raise ValueError("'sources' must map file paths to sha256 strings")
        roots = _field(data, "roots", list)
        if not all(isinstance(root, str) for root in roots):
            raise ValueError("'roots' must be a list of paths")
        generation = _field(data, "generation", str)
        if generation != Path(generation).name or not generation.startswith("gen-"):
            raise ValueError(f"'generation' must name a gen-* folder, not {generation!r}")
        files = {}
        for name, record in data.get("files", {}).items():
            if name not in GENERATION_FILES:
                raise ValueError(f"'files' names an unknown file {name!r}")
            files[name] = FileRecord(
                _field(record, "size", int, where=f"files.{name}"), _field(record, "sha256", str, where=f"files.{name}")
            )
        return cls(
            generation=generation,
            model=_field(model, "name", str, where="model"),
            model_source=_field(model, "source", str, where="model"),
            dimension=_field(model, "dimension", int, where="model"),
            chunker=_field(data, "chunker", str),
            roots=roots,
            sources=sources,
            counts={name: counts[name] for name in ("sources", "cables", "sections", "vectors")},
            built_at=_field(data, "built_at", str),
            files=files,
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
    """A generation opened for reading: its manifest, database and vectors."""

    directory: Path
    manifest: Manifest
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
    size = (directory / MANIFEST).stat().st_size
    for name in GENERATION_FILES:
        try:
            actual = (folder / name).stat().st_size
        except (FileNotFoundError, NotADirectoryError):  # a file named as the generation folder: as gone
            if not folder.is_dir():
                raise _GenerationGone from None
            raise IndexDamaged(directory, f"{manifest.generation}/{name} is missing") from None
        recorded = manifest.files.get(name)
        if recorded is not None and recorded.size != actual:
            raise IndexDamaged(
                directory, f"{manifest.generation}/{name} has {actual} bytes, the manifest says {recorded.size}"
            )
        size += actual
    try:
        store = IndexReader(folder / DATABASE)
        vectors = Vectors.load(folder / VECTORS, manifest.dimension)
    except CableQAError:
        if not folder.is_dir():
            raise _GenerationGone from None
        raise
    # Against the manifest, not by counting the database's rows: that took 14 s at 100,000 cables
    # (7.9 M rows); `check_index` counts them.
    recorded = manifest.counts["vectors"]
    if len(vectors) != recorded:
        store.close()
        raise IndexDamaged(directory, f"{len(vectors)} vectors in {VECTORS}, the manifest says {recorded}")
    return OpenIndex(directory, manifest, store, vectors, size)


def check_index(index_dir: str | os.PathLike) -> list[str]:
    """Everything found wrong with an index's current generation (empty: it is sound).

    Verifies the manifest, each file's size and sha256 against the manifest (a manifest that
    records none, as an index built before they were recorded or an edited one, is a problem:
    nothing could be verified), SQLite's `PRAGMA integrity_check`, and that the database holds
    what the manifest counts (its section count is the keyword weights' N, so a wrong one changes
    answers; opening checked the vector file against its vector count).
    """
    directory = Path(index_dir)
    try:
        manifest = read_manifest(directory)
    except CableQAError as error:
        return [str(error)]
    folder = directory / manifest.generation
    missing = [f"{manifest.generation}/{name} is missing" for name in GENERATION_FILES if not (folder / name).is_file()]
    if missing:
        return missing
    problems = [
        f"{manifest.generation}/{name} does not match its size and sha256 in the manifest"
        for name, recorded in manifest.files.items()
        if (folder / name).stat().st_size != recorded.size or file_sha256(folder / name) != recorded.sha256
    ]
    unrecorded = [name for name in GENERATION_FILES if name not in manifest.files]
    if unrecorded:
        problems.append(f"the manifest records no size and sha256 for {', '.join(unrecorded)} (nothing to verify by)")
    try:
        index = open_index(directory)
    except CableQAError as error:
        return [*problems, getattr(error, "why", str(error))]
    try:
        damage = [f"{DATABASE}: {problem}" for problem in index.store.integrity_problems()]
        stored = {} if damage else index.store.counts()
        problems += damage + [
            f"the manifest counts {manifest.counts[name]} {name}, {DATABASE} holds {count}"
            for name, count in stored.items()
            if count != manifest.counts[name]
        ]
    finally:
        index.close()
    return problems
