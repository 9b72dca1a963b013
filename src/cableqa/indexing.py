"""Build, update and open an index directory.

Layout of `index/`:

    manifest.json          written last: the commit point of a build
    gen-000003/            the generation the manifest names
        cables.sqlite      cables, sections, windows (with vectors), FTS5
        vectors.faiss      the same vectors, for nearest-neighbour search

A build writes a new generation beside the current one (starting from a copy of
its database, so unchanged files are not embedded again), then swaps the
manifest atomically. Readers that opened the old generation keep working; a build
that dies leaves a `*.partial` folder that the next build removes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cableqa.errors import CableQAError
from cableqa.excerpt import sentence_units
from cableqa.store import Store, window_text

FORMAT_VERSION = 2  # 2: the cable_refs table (the reference graph)
CHUNKER_VERSION = "2"  # bump when sectioning or windowing changes what gets embedded
MANIFEST = "manifest.json"
DATABASE = "cables.sqlite"
VECTORS = "vectors.faiss"
DEFAULT_SOURCES = ("seeds",)
WINDOW_OVERLAP_PIECES = 48
EMBED_BATCH = 32

Progress = Callable[[str, int, "int | None"], None]


@dataclass
class BuildReport:
    index_dir: str
    cables: int = 0
    sections: int = 0
    vectors: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    vectors_embedded: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.files_read or self.files_removed)


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
            },
            indent=2,
        )

    @classmethod
    def read(cls, index_dir: Path) -> Manifest | None:
        path = index_dir / MANIFEST
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT_VERSION:
                raise CableQAError(
                    f"{index_dir} is an index of another format (version {data.get('format')});"
                    " run `cableqa index --rebuild`"
                )
            return cls(
                generation=data["generation"],
                model=data["model"]["name"],
                model_source=data["model"]["source"],
                dimension=int(data["model"]["dimension"]),
                chunker=data["chunker"],
                roots=list(data["roots"]),
                sources=dict(data["sources"]),
                counts=dict(data["counts"]),
                built_at=data["built_at"],
            )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise CableQAError(f"{path} is not a cableqa manifest ({error}); run `cableqa index --rebuild`") from error

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


@dataclass
class OpenIndex:
    """A generation opened for reading: its manifest, database and vectors."""

    directory: Path
    manifest: Manifest
    store: Store
    vectors: object  # cableqa.vectors.Vectors (imported lazily: it imports faiss)

    def size_bytes(self) -> int:
        folder = self.directory / self.manifest.generation
        return sum(path.stat().st_size for path in folder.iterdir()) + (self.directory / MANIFEST).stat().st_size


def open_index(index_dir: str | os.PathLike) -> OpenIndex:
    """Open the current generation of an index for reading; a clear error when it is absent or broken."""
    from cableqa.vectors import Vectors

    directory = Path(index_dir)
    manifest = Manifest.read(directory)
    if manifest is None:
        what = "is not an index (no manifest.json)" if directory.is_dir() else "does not exist"
        raise CableQAError(f"{directory} {what}; build one with `cableqa index`")
    manifest.check_compatible(None, directory)
    generation = directory / manifest.generation
    if not (generation / DATABASE).exists() or not (generation / VECTORS).exists():
        raise CableQAError(f"the index in {directory} is incomplete; run `cableqa index --rebuild`")
    store = Store(generation / DATABASE, readonly=True)
    vectors = Vectors.load(generation / VECTORS, manifest.dimension)
    if len(vectors) != store.counts()["vectors"]:
        raise CableQAError(f"the index in {directory} is inconsistent; run `cableqa index --rebuild`")
    return OpenIndex(directory, manifest, store, vectors)


def build(
    sources: list[str | os.PathLike] | None = None,
    index_dir: str | os.PathLike = "index",
    *,
    model: str | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    on_skip: Callable[[str, str], None] | None = None,
) -> BuildReport:
    """Build or update the index in `index_dir` from cable files and folders.

    Only files whose content changed since the last build are read and embedded
    again; cables whose files are gone are dropped. `sources` adds to the roots the
    index already has (default for a new index: `seeds/`). `rebuild` reads and
    embeds every file under those roots again, with `model` or the default model.
    """
    started = time.perf_counter()
    directory = Path(index_dir)
    previous = None if rebuild else Manifest.read(directory)
    model_name, model_source = model_identity(model if model is not None or previous is None else previous.model_source)
    if previous is not None:
        previous.check_compatible(model_name, directory)
    roots = _roots(sources, previous if not rebuild else _manifest_or_none(directory))
    report = BuildReport(index_dir=str(directory))
    notify = progress or (lambda stage, done, total: None)

    def skip(source: str, reason: str) -> None:
        report.skipped.append((source, reason))
        if on_skip is not None:
            on_skip(source, reason)

    files = {str(path): path for root in roots for path in _files_under(Path(root), skip)}
    directory.mkdir(parents=True, exist_ok=True)
    _remove_partial_generations(directory)
    generation = _next_generation_name(directory)
    workdir = directory / f"{generation}.partial"
    workdir.mkdir()
    try:
        if previous is not None:
            _copy_database(directory / previous.generation / DATABASE, workdir / DATABASE)
        store = Store(workdir / DATABASE)
        embedding = _Model(model_source)
        hashes = _sync_sources(store, files, embedding, report, notify, skip)
        if previous is not None and not report.changed:
            store.close()
            shutil.rmtree(workdir)
            return _finish(report, previous.counts, started)
        dimension = _embed_missing(store, embedding, report, notify)
        notify("write", 0, None)
        counts = store.counts()
        _write_vectors(store, workdir / VECTORS, dimension)
        store.commit()
        store.close()
        os.replace(workdir, directory / generation)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    manifest = Manifest(
        generation=generation,
        model=model_name,
        model_source=model_source,
        dimension=dimension,
        chunker=CHUNKER_VERSION,
        roots=roots,
        sources=hashes,
        counts=counts,
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    _write_atomically(directory / MANIFEST, manifest.to_json())
    _remove_old_generations(directory, keep=generation)
    return _finish(report, counts, started)


def model_identity(model: str | None) -> tuple[str, str]:
    """(display name, source to load it from) of a model argument; None is the bundled default."""
    from cableqa.embed import resolve_model

    name, path = resolve_model(model)
    return name, (path if model is not None and Path(model).expanduser().is_dir() else name)


def _finish(report: BuildReport, counts: dict[str, int], started: float) -> BuildReport:
    report.cables, report.sections, report.vectors = counts["cables"], counts["sections"], counts["vectors"]
    report.seconds = time.perf_counter() - started
    return report


def _manifest_or_none(directory: Path) -> Manifest | None:
    """The manifest of an index being rebuilt, for its roots; a damaged one is simply ignored."""
    try:
        return Manifest.read(directory)
    except CableQAError:
        return None


def _roots(sources, previous: Manifest | None) -> list[str]:
    given = [str(Path(source).resolve()) for source in sources or ()]
    for root in given:
        if not Path(root).exists():
            raise CableQAError(f"{root} does not exist")
    known = previous.roots if previous is not None else []
    if not given and not known:
        defaults = [str(Path(name).resolve()) for name in DEFAULT_SOURCES if Path(name).exists()]
        if not defaults:
            raise CableQAError("no cables to index: give a file or folder (the default, seeds/, is not here)")
        given = defaults
    return sorted(set(known) | set(given))


def _files_under(root: Path, skip) -> Iterator[Path]:
    if root.is_file():
        yield root.resolve()
    elif root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
                yield path.resolve()
    else:
        skip(str(root), "no longer exists; its cables are dropped")


def _sync_sources(
    store: Store, files: dict[str, Path], model: _Model, report: BuildReport, notify, skip
) -> dict[str, str]:
    """Bring the store's cables in line with `files`; return the hash of every file now indexed."""
    from cableqa.readers import read

    known = store.source_hashes()
    for gone in sorted(set(known) - set(files)):
        store.drop_source(gone)
        report.files_removed += 1
    hashes = {}
    for done, (key, path) in enumerate(sorted(files.items()), start=1):
        digest = _sha256(path)
        hashes[key] = digest
        if known.get(key) == digest:
            report.files_unchanged += 1
        else:
            store.drop_source(key)
            store.add_source(key, digest)
            report.files_read += 1
            for cable in read(path, on_skip=skip):
                for rowid, section in zip(store.add_cable(cable, key), cable.sections, strict=True):
                    store.add_spans("windows", rowid, model.windows(cable.subject, section.text, section.title))
                    store.add_spans("sentences", rowid, sentence_units(section.text))
        notify("read", done, len(files))
    return hashes


class _Model:
    """The embedding model, loaded on first need: a build where nothing changed never imports torch."""

    def __init__(self, name: str | None):
        self.name = name
        self._encoder = None
        self._pieces = None

    @property
    def encoder(self):
        if self._encoder is None:
            from cableqa.embed import load_encoder

            self._encoder = load_encoder(self.name, purpose="build")
        return self._encoder

    def windows(self, subject: str, text: str, title: str) -> list[tuple[int, int]]:
        if self._pieces is None:
            from cableqa.embed import word_pieces

            self._pieces = word_pieces(self.name)
        context = self._pieces.count(window_text(subject, title, ""))
        return window_spans(text, self._pieces.offsets(text), self.encoder.max_tokens - 2 - context)


def window_spans(text: str, pieces: list[tuple[int, int]], budget: int) -> list[tuple[int, int]]:
    """Overlapping character spans of `text`, each at most `budget` word pieces.

    The model reads only its first `max_tokens` word pieces, so a long section is
    embedded as several windows (overlapping by a few sentences' worth) and found by
    its best one. Windows end at sentence boundaries where that costs little.
    """
    from cableqa.text import split_sentences

    budget = max(budget, 32)
    if len(pieces) <= budget:
        return [(0, len(text))]
    starts = {start for start, _ in split_sentences(text)}
    sentence_tokens = [i for i, (start, _) in enumerate(pieces) if start in starts or _after_boundary(text, start)]
    spans = []
    first = 0
    while True:
        last = min(first + budget, len(pieces))
        if last < len(pieces):
            boundary = max((t for t in sentence_tokens if first < t <= last), default=last)
            last = boundary if boundary - first >= budget // 2 else last
        spans.append((pieces[first][0], pieces[last - 1][1]))
        if last >= len(pieces):
            return spans
        resume = last - WINDOW_OVERLAP_PIECES
        first = max(min((t for t in sentence_tokens if resume <= t < last), default=resume), first + 1)


def _after_boundary(text: str, offset: int) -> bool:
    before = text[:offset].rstrip(" ")
    return not before or before.endswith("\n")


def _embed_missing(store: Store, model: _Model, report: BuildReport, notify) -> int:
    """Embed every window and sentence without a vector; return the model's dimension."""
    pending = {table: list(store.unembedded(table)) for table in ("windows", "sentences")}
    total = sum(len(items) for items in pending.values())
    done = 0
    notify("embed", done, total)
    for table, items in pending.items():
        for first in range(0, len(items), EMBED_BATCH * 8):
            batch = items[first : first + EMBED_BATCH * 8]
            vectors = model.encoder.encode([text for _, text in batch], batch_size=EMBED_BATCH)
            store.set_vectors(table, [id_ for id_, _ in batch], vectors)
            done += len(batch)
            notify("embed", done, total)
    report.vectors_embedded = done
    return model.encoder.dimension


def _write_vectors(store: Store, path: Path, dimension: int) -> None:
    from cableqa.vectors import Vectors

    ids, vectors = store.all_vectors(dimension)
    Vectors.from_arrays(ids, vectors, dimension).save(path)


def _copy_database(source: Path, target: Path) -> None:
    """Copy a live SQLite database consistently (the backup API, not a file copy)."""
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as old, sqlite3.connect(target) as new:
            old.backup(new)
    except sqlite3.DatabaseError as error:
        raise CableQAError(
            f"cannot read the current index database {source} ({error}); run `cableqa index --rebuild`"
        ) from None


def _next_generation_name(directory: Path) -> str:
    numbers = [
        int(path.name.split("-")[1].split(".")[0]) for path in directory.glob("gen-*") if path.name[4:10].isdigit()
    ]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _remove_partial_generations(directory: Path) -> None:
    for path in directory.glob("gen-*.partial"):
        shutil.rmtree(path, ignore_errors=True)


def _remove_old_generations(directory: Path, keep: str) -> None:
    for path in directory.glob("gen-*"):
        if path.name != keep:
            shutil.rmtree(path, ignore_errors=True)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
