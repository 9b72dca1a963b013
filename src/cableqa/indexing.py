"""Build and update an index directory (its layout and the read side: `cableqa.index_files`).

A build holds the index's build lock throughout (`cableqa.buildlock`), writes a new
generation beside the current one (starting from a copy of its database, so unchanged
files are not embedded again), fsyncs it, then swaps the manifest atomically. Readers
that opened the old generation keep working, and the one before stays until the next
build so that a reader that has just read the old manifest can still open it.

A build commits its progress as it goes (each file read, each batch embedded) in its
`*.partial` folder. One that is killed, loses power or is interrupted leaves that folder
behind, and the next build of the same index, from the same generation with the same
model, resumes it: files read are not read again, vectors stored are not embedded again,
and it ends as the stopped build would have (an update stopped after it had read its files
still writes the new generation; whether anything changed is judged against the generation
it updates, not against what is left to do). Any other partial is removed, and so is one
whose build failed for another reason.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from cableqa.buildlock import build_lock
from cableqa.cutting import EmbeddedSection, SectionText
from cableqa.errors import CableQAError, IndexDamaged, NoCables
from cableqa.files import file_sha256, visible_files
from cableqa.index_files import (
    CHUNKER_VERSION,
    DATABASE,
    GENERATION_FILES,
    MANIFEST,
    VECTORS,
    FileRecord,
    IndexState,
    Manifest,
    check_index,
)
from cableqa.locations import default_index, shipped_seeds
from cableqa.store.embedding_cache import UPDATE_CACHE, EmbeddingCache
from cableqa.store.reading import IndexReader
from cableqa.store.schema import FORGET_BUILD_PROGRESS
from cableqa.store.writing import IndexWriter
from cableqa.wording import no_cables

ENGINES = ("local", "ray")
PLAN = "plan.json"  # in a partial generation: what it is a build of, so that another build can resume it
# Cables read between commits inside one file (one file is committed whole as well): at the
# shared corpus's ~3 sections a cable, about a minute of embedding on 2 cores is lost at most.
CABLES_PER_COMMIT = 1000
READ_PROGRESS_EVERY = 100  # cables between progress reports while reading (a few a second)
# Sections read from the database at once to be embedded (bounded memory at any corpus size).
SECTIONS_PER_READ = 500
# An update in place writes a new vector file (a fold) once the windows added and removed since the
# last one pass FOLD_SHARE of all windows or FOLD_MOST, whichever is fewer; below it, a reader applies
# them to the file it loads. Measured at 50,000 synthetic cables (516,631 windows, IVF: docs/scale.md,
# "Updates in place"): applying 10,812 windows on open took 0.06 s to read and 0.26-0.43 s to add (their
# cells are found among ~2,900), a fold 40.6 s. 20,000 windows (~2,000 cables) keep what an open
# applies near 1 s at the full release's ~6,500 cells, and fold the full release about every 2,000
# cables added; the share keeps small indexes from folding on every update.
FOLD_SHARE = 0.10
FOLD_MOST = 20_000

# (stage, done, total): each stage is reported when it starts ("join" for a cluster, "read", "model",
# "embed", "write", `wording.BUILD_STAGES`), then as it goes; total is None while it is not known.
Progress = Callable[[str, int, "int | None"], None]


@dataclass
class BuildReport:
    index_dir: str
    cables: int = 0
    sections: int = 0
    vectors: int = 0
    # Files and cables count the whole build, from the generation it updates: for a resumed build,
    # what was read and stored before it was stopped too. Vectors and seconds are this run's work.
    files_read: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    cables_embedded: int = 0  # new or changed cables (an unchanged cable in a changed file keeps its vectors)
    vectors_embedded: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    repaired: list[str] = field(default_factory=list)  # what was wrong with the generation this build replaced
    resumed: bool = False  # it went on from where a killed or interrupted build stopped
    upgraded: bool = False  # the index was of the format before: converted to this one, nothing re-read or re-embedded

    @property
    def changed(self) -> bool:
        return bool(self.files_read or self.files_removed or self.repaired or self.upgraded)


def build(
    sources: list[str | os.PathLike] | None = None,
    index_dir: str | os.PathLike | None = None,
    *,
    model: str | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
    on_skip: Callable[[str, str], None] | None = None,
    wait: bool = True,
    on_wait: Callable[[int | None], None] | None = None,
    allow_download: bool = False,
    device: str = "auto",
    engine: str = "local",
    address: str | None = None,
) -> BuildReport:
    """Build or update the index in `index_dir` from cable files and folders.

    Only files whose content changed since the last build are read and embedded
    again; cables whose files are gone are dropped. `sources` adds to the roots the
    index already has (default for a new index: the shipped `seeds/`). `rebuild` reads and
    embeds every file under those roots again, with `model` or the default model;
    so does an update of an index whose current generation is damaged. A build that
    finds no cable at all is an error, and writes nothing. `index_dir` defaults to
    `locations.default_index()`.

    Builds of one index run one at a time: with another running, `wait` for it
    (after `on_wait(its pid)`) or raise `CableQAError`. A model that is not on this
    machine is downloaded only with `allow_download`.
    `device` is where the model runs: "auto" (a CUDA GPU when torch sees one), "cpu" or "cuda".
    `engine` "ray" cuts and embeds on the Ray cluster at `address` (None: a local Ray over all
    cores; `cableqa.ray_build`); "local" does it in this process.
    """
    started = time.perf_counter()
    if engine not in ENGINES:
        raise CableQAError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if engine == "ray":
        from cableqa.ray_build import require_ray

        require_ray()  # before anything is read
    directory = Path(index_dir) if index_dir is not None else default_index()
    given = _given_roots(sources)
    if model is not None:
        model_identity(model, allow_download=allow_download)  # a bad model is an error before anything is written
    with build_lock(directory, wait=wait, on_wait=on_wait), _write_errors_are_one_line(directory):
        return _build_locked(
            directory, given, model, rebuild, progress, on_skip, allow_download, (engine, address, device), started
        )


def _build_locked(
    directory: Path,
    given: list[str],
    model,
    rebuild: bool,
    progress,
    on_skip,
    allow_download: bool,
    where: tuple[str, str | None, str],
    started: float,
) -> BuildReport:
    report = BuildReport(index_dir=str(directory))
    previous = None if rebuild else Manifest.read(directory)
    old = previous if previous is not None else _manifest_or_none(directory)  # its roots are kept
    if previous is not None:
        report.repaired = check_index(directory)
        if report.repaired:  # start over, from the same roots with the same model
            previous = None
    same_model = None if rebuild else old
    model_name, model_source = model_identity(
        model if model is not None or same_model is None else same_model.model_source, allow_download=allow_download
    )
    if previous is not None:
        previous.check_compatible(model_name, directory)

    def skip(source: str, reason: str) -> None:
        report.skipped.append((source, reason))
        if on_skip is not None:
            on_skip(source, reason)

    roots = _roots(given, old)
    job = _Job(
        directory,
        report,
        {str(path): path for root in roots for path in _files_under(Path(root), skip)},
        roots,
        model_name,
        model_source,
        progress or (lambda stage, done, total: None),
        skip,
        lambda: _engine(model_source, allow_download, *where, job.notify),
        started,
        old.generation if old is not None else None,
    )
    if previous is not None and previous.legacy_state is None:
        return _update_in_place(job, previous)
    return _build_generation(job, previous)


@dataclass
class _Job:
    """What a build was asked to do, and what it knows before it starts."""

    directory: Path
    report: BuildReport
    files: dict[str, Path]  # every file under the roots, by its path
    roots: list[str]
    model_name: str
    model_source: str
    notify: Progress
    skip: Callable[[str, str], None]
    engine: Callable[[], object]  # makes the engine that cuts and embeds
    started: float
    current: str | None  # the generation the manifest names (sound or not, rebuilt or not), if any

    def no_cables(self) -> NoCables:
        return _no_cables(self.roots, len(self.files), self.report.skipped, kept=self.current is not None)


def _update_in_place(job: _Job, previous: Manifest) -> BuildReport:
    """Update the current generation in one transaction: only what changed is written, nothing copied.

    A kill before it commits leaves the index as it was; what was embedded by then is kept beside it
    (`EmbeddingCache`), so the next run reads the files again but embeds only what it had not.
    """
    directory, report = job.directory, job.report
    folder = directory / previous.generation
    cache = EmbeddingCache(directory, job.model_source)
    store = IndexWriter(folder / DATABASE, in_place=True)
    engine = None
    try:
        state = store.state()
        report.resumed = len(cache) > 0
        engine = job.engine()
        _sync_sources(store, job.files, report, job.notify, job.skip, store.source_hashes())
        if not store.holds_cables():
            raise job.no_cables()
        if not report.changed:
            cache.remove()
            return _finish(report, state.counts, job.started)
        if job.roots != previous.roots:  # before the commit: a root named and not yet indexed is indexed next run
            _write_atomically(directory / MANIFEST, replace(previous, roots=job.roots).to_json())
        dimension = _embed_missing(store, engine, report, job.notify, cache)
        job.notify("write", 0, None)
        store.count_terms()
        counts = store.counts()
        vector_file = state.vectors_file
        if store.vector_changes(state.vectors_upto) > min(FOLD_SHARE * counts["vectors"], FOLD_MOST):
            vector_file = _next_vector_file(state.vectors_file)
            _write_vector_state(store, folder / vector_file, dimension, counts)
        else:
            store.put_state(replace(state, counts=counts, updated_at=_now()), new_vector_file=False)
        store.commit_build()
    finally:
        store.close()  # what is not committed is rolled back
        cache.close()
        if engine is not None:
            engine.close()
    cache.remove()
    _remove_vector_files(folder, keep={state.vectors_file, vector_file})
    _remove_old_generations(directory, keep={previous.generation})
    return _finish(report, counts, job.started)


def _build_generation(job: _Job, previous: Manifest | None) -> BuildReport:
    """Build a new generation beside the current one (from a copy of its database when it is of an
    older format), committing as it goes in its `*.partial` folder, then swap the manifest."""
    directory, report = job.directory, job.report
    plan = {"from": previous.generation if previous else None, "model": job.model_source, "roots": job.roots}
    workdir = _resumable_partial(directory, plan)
    if workdir is None:
        _remove_partial_generations(directory)
        workdir = directory / f"{_next_generation_name(directory)}.partial"
        workdir.mkdir()
        if previous is not None:
            _copy_database(directory / previous.generation / DATABASE, workdir / DATABASE)
        _write_atomically(workdir / PLAN, json.dumps(plan))
    else:
        report.resumed = True
    generation = workdir.name.removesuffix(".partial")
    since = _sources_of(directory / previous.generation / DATABASE) if previous else {}
    try:
        store = IndexWriter(workdir / DATABASE)
        engine = None
        try:
            engine = job.engine()
            _sync_sources(store, job.files, report, job.notify, job.skip, since)
            if not store.holds_cables():
                raise job.no_cables()
            report.upgraded = previous is not None
            if previous is not None and not report.changed:
                report.cables_embedded = 0  # stored by a stopped build, then dropped with their file
                shutil.rmtree(workdir)
                return _finish(report, previous.legacy_state.counts, job.started)
            dimension = _embed_missing(store, engine, report, job.notify)
            job.notify("write", 0, None)
            store.count_terms()
            counts = store.counts()
            _write_vector_state(store, workdir / VECTORS, dimension, counts)
            store.commit_build()
        finally:
            store.close()
            if engine is not None:
                engine.close()
        (workdir / PLAN).unlink()
        _sync_folder(workdir, GENERATION_FILES)
        os.replace(workdir, directory / generation)
        workdir = directory / generation  # removed too if the manifest cannot be written
        _sync_folder(directory)
        manifest = Manifest(
            generation=generation,
            model=job.model_name,
            model_source=job.model_source,
            dimension=dimension,
            chunker=CHUNKER_VERSION,
            roots=job.roots,
            created_at=_now(),
        )
        _write_atomically(directory / MANIFEST, manifest.to_json())
    except KeyboardInterrupt:  # interrupted, like a kill: the next build resumes from the last commit
        raise
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    # The generation the manifest named stays until the next build, after a rebuild too: a reader
    # that read the manifest just before the swap (the TUI rebuilds while it has the index open)
    # opens the index it read.
    _remove_old_generations(directory, keep={generation, job.current or generation})
    (directory / UPDATE_CACHE).unlink(missing_ok=True)  # of an update of the generation this replaces
    return _finish(report, counts, job.started)


def _write_vector_state(store: IndexWriter, path: Path, dimension: int, counts: dict[str, int]) -> None:
    """Write a vector file of every window the database holds (fsynced), and record it in the state."""
    write_vectors(store, path, dimension)
    _sync_folder(path.parent, (path.name,))
    state = IndexState(counts, _now(), path.name, FileRecord.of(path), store.largest_window_id())
    store.put_state(state, new_vector_file=True)


def _next_vector_file(current: str) -> str:
    """The name of the vector file a fold writes after `current` (vectors.faiss, vectors-2.faiss, ...)."""
    number = int(current.removeprefix("vectors-").removesuffix(".faiss")) if current != VECTORS else 1
    return f"vectors-{number + 1}.faiss"


def _remove_vector_files(folder: Path, keep: set[str]) -> None:
    """Vector files no longer named, but the one before the current (a reader may have just read its name)."""
    for path in folder.glob("vectors*.faiss"):
        if path.name not in keep:
            path.unlink(missing_ok=True)


def _sources_of(database: Path) -> dict[str, str]:
    """The files a generation's database records as indexed, with their hashes."""
    with closing(IndexReader(database)) as store:
        return store.source_hashes()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def model_identity(model: str | None, *, allow_download: bool = False) -> tuple[str, str]:
    """(display name, source to load it from) of a model argument; None is the bundled default.

    A model that is neither a folder nor already downloaded is an error unless `allow_download`.
    """
    from cableqa.embed import require_local, resolve_model

    name, path = resolve_model(model)
    if not allow_download:
        require_local(path)
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


def _given_roots(sources) -> list[str]:
    given = [str(Path(source).resolve()) for source in sources or ()]
    for root in given:
        if not Path(root).exists():
            raise CableQAError(f"{root} does not exist")
    return given


def _roots(given: list[str], previous: Manifest | None) -> list[str]:
    known = previous.roots if previous is not None else []
    if not given and not known:
        seeds = shipped_seeds()
        if seeds is None:
            raise CableQAError("no cables to index: give a file or folder (`cableqa index CABLES`)")
        given = [str(seeds.resolve())]
    return sorted(set(known) | set(given))


def _no_cables(roots: list[str], files: int, skipped: list[tuple[str, str]], *, kept: bool) -> NoCables:
    """The one line for a build that found no cable at all: where it looked, and the first file's reason."""
    where = roots[0] if len(roots) == 1 else f"{len(roots)} files and folders"
    outcome = "the index is unchanged" if kept else "no index was written"
    return NoCables(f"{no_cables(where, files, skipped)}; {outcome}")


def _files_under(root: Path, skip) -> Iterator[Path]:
    if root.exists():
        yield from (path.resolve() for path in visible_files(root, skip))
    else:
        skip(str(root), "no longer exists; its cables are dropped")


def _sync_sources(
    store: IndexWriter, files: dict[str, Path], report: BuildReport, notify, skip, since: dict[str, str]
) -> None:
    """Bring the store's cables in line with `files`, and its sources with their hashes.

    A file that cannot be read is skipped and keeps the cables it had, and so does a file read
    with a skip (a row of a dump, say): the cables it held and did not give this time stay until
    it reads without one. A cable held by several files stays while any of them does. In a
    changed file only the cables whose digest changed are stored and embedded again
    (`store.cable_digest`): one edited row of a 250,000-row dump re-embeds one cable.

    The report counts the files read and removed since `since` (the sources of the generation the
    build updates) and the cables stored, before a stop the build resumes from too.
    """
    from cableqa.readers import read

    notify("read", 0, None)  # from the first second: hashing a large dump takes a while
    known = store.source_hashes()
    hashes = {}
    for key, path in sorted(files.items()):
        try:
            hashes[key] = file_sha256(path)
        except OSError as error:
            skip(key, f"cannot read ({error.strerror}); its cables are kept as they were")
            if key in known:
                hashes[key] = known[key]
    changed = sorted(key for key, digest in hashes.items() if known.get(key) != digest)
    reread: set[str] = set()
    for gone in sorted(set(known) - set(hashes)):
        reread |= store.drop_source(gone)
    queue = changed + sorted((reread & set(hashes)) - set(changed))
    progress = _ReadProgress([files[key] for key in queue], notify)
    done: list[str] = []
    while queue:
        key = queue.pop(0)
        held_before = store.cables_held_by(key)
        store.add_source(key, "")  # no file hashes to "": a build that resumes reads this file again
        seen = set()
        skipped_before = len(report.skipped)
        for cable in read(files[key], on_skip=skip, on_bytes=progress.reached):
            progress.cable_read()
            seen.add(cable.doc_id)
            if len(seen) % CABLES_PER_COMMIT == 0:
                store.commit()  # a resumed build keeps what was read (its cables' digests match)
            if store.keep_cable(cable, key):
                continue
            store.count_progress("cables_embedded")
            store.add_cable(cable, key)  # its sections are cut and embedded next (`_embed_missing`)
        read_whole = len(report.skipped) == skipped_before
        gone = held_before - seen if read_whole else set()  # a row it could not read may hold any of them
        for other in sorted(store.release(key, gone) & set(hashes)):
            if other not in queue:  # holds a cable whose stored copy this file no longer has
                queue.append(other)
                progress.add_file(files[other])
        store.add_source(key, hashes[key])  # read, skips and all: not read again until it changes
        store.commit()
        done.append(key)
        progress.file_read(files[key])
    report.files_read = len(set(done) | {key for key, digest in hashes.items() if since.get(key) != digest})
    report.files_unchanged = len(hashes) - report.files_read
    report.files_removed = len(set(since) - set(hashes))
    report.cables_embedded = store.progress_count("cables_embedded")


class _ReadProgress:
    """Cables read, of an estimate of all there are to read: the cables read so far, scaled by the
    share of the files' bytes they came from. A 1.6 GB dump so shows its rate and ETA from its first
    rows, where counting files would show 0 of 1 for the whole read."""

    def __init__(self, paths: list[Path], notify: Progress):
        self.notify = notify
        self.total_bytes = sum(map(_size, paths))
        self.bytes_of_files_read = 0
        self.offset = 0  # into the file being read
        self.cables = 0

    def reached(self, offset: int) -> None:
        self.offset = offset

    def cable_read(self) -> None:
        self.cables += 1
        if self.cables % READ_PROGRESS_EVERY == 0:
            self._report()

    def file_read(self, path: Path) -> None:
        self.bytes_of_files_read += _size(path)
        self.offset = 0
        self._report()

    def add_file(self, path: Path) -> None:
        self.total_bytes += _size(path)

    def _report(self) -> None:
        read = self.bytes_of_files_read + self.offset
        estimate = round(self.cables * self.total_bytes / read) if read else None
        self.notify("read", self.cables, max(estimate, self.cables) if estimate else None)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _engine(model: str, allow_download: bool, engine: str, address: str | None, device: str, notify: Progress):
    if engine == "ray":
        from cableqa.ray_build import RayEngine

        ray_engine = RayEngine(model, address=address, device=device, allow_download=allow_download)
        if address is not None:  # a cluster that cannot be reached is an error before a long read, not after
            notify("join", 0, None)
            ray_engine.connect()
        return ray_engine
    return _LocalEngine(model, allow_download, device)


class _LocalEngine:
    """Cuts and embeds in this process. The model is loaded on first need: a build where nothing
    changed never imports torch."""

    def __init__(self, name: str, allow_download: bool, device: str = "auto"):
        self.name = name
        self.allow_download = allow_download
        if device != "auto":  # a GPU asked for and missing fails now, not after hours of reading
            from cableqa.embed import resolve_device

            resolve_device(device)
        self.device = device
        self._encoder = None
        self._cutter = None

    def load(self) -> None:
        """Load the model (its tokenizer and encoder) unless loaded: 5-15 s on a CPU, a stage of its own."""
        if self._encoder is None:
            from cableqa.cutting import Cutter
            from cableqa.embed import load_encoder

            self._cutter = Cutter(self.name, allow_download=self.allow_download)
            self._encoder = load_encoder(
                self.name, purpose="build", allow_download=self.allow_download, device=self.device
            )

    def embed(self, sections: Iterator[SectionText]) -> Iterator[list[EmbeddedSection]]:
        """The sections, cut and embedded, in their order, a few hundred windows at a time."""
        from cableqa.cutting import WINDOWS_PER_CALL, embed_sections
        from cableqa.embed import batch_size_for

        self.load()
        batch_size = batch_size_for(self._encoder.device)
        batch, windows = [], 0
        for section in sections:
            batch.append(self._cutter.cut(section))
            windows += len(batch[-1].windows)
            if windows >= WINDOWS_PER_CALL:
                yield embed_sections(self._encoder, batch, batch_size)
                batch, windows = [], 0
        if batch:
            yield embed_sections(self._encoder, batch, batch_size)

    def dimension(self) -> int:
        self.load()
        return self._encoder.dimension

    def close(self) -> None:
        """Nothing to let go of: the model goes with the process."""


def _embed_missing(store: IndexWriter, engine, report: BuildReport, notify, cache: EmbeddingCache | None = None) -> int:
    """Cut and embed every section not embedded yet; return the vectors' dimension.

    What the engine gives back is stored and committed a batch at a time, so a build that
    is killed keeps every batch it stored. In place, nothing is committed before the end: each
    batch is committed to `cache` instead, sections found there are not embedded again, and all
    are then stored from it in order (so a stopped update ends as an unstopped one would).
    """
    rowids = store.pending_sections()
    if cache is None:
        todo, keep = rowids, store.put_all_embedded
    else:
        keys = {section.rowid: cache.key(section) for section in _section_texts(store, rowids)}
        todo = [rowid for rowid in rowids if not cache.has(keys[rowid])]
        keep = lambda batch: cache.put(batch, keys)  # noqa: E731
    if todo:
        notify("model", 0, None)
        engine.load()
    done = len(rowids) - len(todo)
    notify("embed", done, len(rowids))
    for batch in engine.embed(_section_texts(store, todo)):
        keep(batch)
        report.vectors_embedded += sum(section.vectors for section in batch)
        store.commit()
        done += len(batch)
        notify("embed", done, len(rowids))
    if cache is not None:
        store.put_all_embedded(cache.get(section) for section in _section_texts(store, rowids))
    return store.vector_dimension() or engine.dimension()


def _section_texts(store: IndexWriter, rowids: list[int]) -> Iterator[SectionText]:
    for first in range(0, len(rowids), SECTIONS_PER_READ):
        yield from store.section_texts(rowids[first : first + SECTIONS_PER_READ])


def write_vectors(store: IndexWriter, path: Path, dimension: int) -> None:
    """Build the FAISS file of a generation from the window vectors its database holds."""
    from cableqa.vectors import Vectors

    count = store.counts()["vectors"]
    sample = lambda size: store.sample_window_vectors(dimension, size)  # noqa: E731
    Vectors.build(dimension, count, store.window_vectors(dimension), sample).save(path)


def _copy_database(source: Path, target: Path) -> None:
    """Copy a live SQLite database consistently (the backup API, not a file copy), to start a build."""
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as old, sqlite3.connect(target) as new:
            old.backup(new)
            new.execute(FORGET_BUILD_PROGRESS)
    except sqlite3.DatabaseError as error:
        if _is_disk_full(error):
            raise
        raise IndexDamaged(source.parent.parent, f"{source.parent.name}/{source.name}: {error}") from None


def _next_generation_name(directory: Path) -> str:
    numbers = [
        int(path.name.split("-")[1].split(".")[0]) for path in directory.glob("gen-*") if path.name[4:10].isdigit()
    ]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _resumable_partial(directory: Path, plan: dict) -> Path | None:
    """The partial generation a killed build left for this same plan, if there is one to resume."""
    for path in sorted(directory.glob("gen-*.partial")):
        try:
            if json.loads((path / PLAN).read_text()) == plan:
                IndexWriter(path / DATABASE).close()  # opens, or it is no use
                return path
        except (OSError, ValueError, sqlite3.DatabaseError):
            continue
    return None


def _remove_partial_generations(directory: Path) -> None:
    for path in directory.glob("gen-*.partial"):
        shutil.rmtree(path, ignore_errors=True)


def _remove_old_generations(directory: Path, keep: set[str]) -> None:
    for path in directory.glob("gen-*"):
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _sync_folder(folder: Path, names: tuple[str, ...] = ()) -> None:
    """fsync the files `names` in `folder`, then the folder itself (its entries), so a crash cannot undo them."""
    for name in names:
        with open(folder / name, "rb") as handle:
            os.fsync(handle.fileno())
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


@contextmanager
def _write_errors_are_one_line(directory: Path) -> Iterator[None]:
    """A full disk (SQLite's or the file system's), or an index file the build may not write or that
    something is in the way of (a folder named manifest.json.tmp), ends a build with one line; the
    build has cleaned up."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as error:
        if _is_disk_full(error):
            raise CableQAError(
                f"no space left on device while writing the index in {directory}; the previous index is untouched"
            ) from None
        if isinstance(error, OSError) and error.errno in UNWRITABLE:
            paths = " -> ".join(str(path) for path in (error.filename, error.filename2) if path is not None)
            raise CableQAError(
                f"cannot write the index in {directory} ({error.strerror}: {paths}); the previous index is untouched"
            ) from None
        raise


# What keeps a build from writing a file of the index folder, whatever the file
UNWRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ENOTDIR, errno.EEXIST)


def _is_disk_full(error: Exception) -> bool:
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return getattr(error, "sqlite_errorname", "") == "SQLITE_FULL" or "database or disk is full" in str(error)
