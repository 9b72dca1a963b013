"""Cutting and embedding on a Ray cluster (`cableqa index --ray`, `build(engine="ray")`).

Reading stays in this process, where the files are, and so does writing: one writer fills
SQLite and, at the end, FAISS, as in a local build. What grows past one machine is the
embedding, so the sections read but not yet embedded go through a Ray Data pipeline:

    from_items(sections) → cut (tasks) → embed (a pool of actors, one model each) → this process

in rounds of `SECTIONS_PER_ROUND`, which bound what is in flight. Each round's pipeline is driven
by an actor on the cluster (`_Round`), which this process joins as a driver (`--ray`, `--ray auto`)
or as a Ray client (`--ray ray://HEAD:10001`; `ray_cluster` joins it). The results come back in
order, a batch at a time, and each batch is stored and committed as it arrives, exactly as a
local build commits its own: a driver killed mid-build resumes like a local build, from the
last committed batch, with or without `--ray`. Ray itself retries a cut task whose worker
dies and restarts an encoder actor that dies (Ray Data's actor pools are restartable).

Where the cluster has GPUs, each encoder actor holds one; otherwise each holds up to
`MAX_THREADS_PER_ENCODER` CPU cores, and there are as many as the cluster's cores allow.

Ray is an optional extra (`cableqa[ray]`); this module is imported only by a build asked to
use it, and imports ray only then.
"""

from __future__ import annotations

import importlib.util
import logging
import math
from collections.abc import Iterator

import numpy as np

from cableqa.cutting import EmbeddedSection, SectionText
from cableqa.errors import CableQAError, one_line

RAY_EXTRA = "cableqa[ray]"
# Sections shipped to the cluster in one Ray Data pipeline: about 25 MB of text from the shared
# corpus (1,256 characters a section on average). Each round starts its encoder actors anew (Ray's
# start and one actor's model load cost 26 s in all in bench_ray.py on 2 cores), so a round is kept
# to many minutes of embedding (20,000 sections is ~58 min for one 2-core actor at 173 ms a section).
SECTIONS_PER_ROUND = 20_000
# Sections an encoder actor embeds at once: about 110 windows and 560 sentences of the shared
# corpus (1.67 windows and 8.7 sentences a section), enough for the encoder's length-sorted
# batches of 32 to pad little.
SECTIONS_PER_BATCH = 64
# CPU cores each encoder actor uses (its threads); a many-core node runs more actors instead.
# Not measured here (2 cores): a small model's matrices are expected to gain little past a few
# threads, while separate actors scale with no shared state. Re-measure on a many-core node.
MAX_THREADS_PER_ENCODER = 4
# Cut tasks reserve a quarter of a core, and each encoder actor leaves that much of its cores
# unreserved: cutting is a small share of the work, but Ray schedules nothing where encoder
# actors have reserved every core (on a 2-core machine the pipeline would wait forever).
CUT_CPUS = 0.25


def require_ray() -> None:
    """A one-line error, before anything is read, when the `ray` extra is not installed."""
    if importlib.util.find_spec("ray") is None or importlib.util.find_spec("ray.data") is None:
        raise CableQAError(f"--ray needs Ray Data, which is not installed: pip install '{RAY_EXTRA}'")


class RayEngine:
    """Cuts and embeds on a Ray cluster: `address` ("ray://HEAD:10001", "auto"), or None for a
    local Ray of its own over all of this machine's cores. A local Ray starts on the first section
    to embed; a cluster given by address is joined at once, so a wrong address fails before a
    long read."""

    def __init__(self, model: str, *, address: str | None, device: str, allow_download: bool):
        require_ray()
        self.model = model
        self.address = address
        self.device = device
        self.allow_download = allow_download
        self._started_ray = False

    def load(self) -> None:
        """Get ready to embed: start or join Ray (each encoder actor loads the model as it starts)."""
        self.connect()

    def embed(self, sections: Iterator[SectionText]) -> Iterator[list[EmbeddedSection]]:
        """The sections, cut and embedded on the cluster, in their order, a batch at a time."""
        batch: list[SectionText] = []
        try:
            for section in sections:
                batch.append(section)
                if len(batch) == SECTIONS_PER_ROUND:
                    yield from self._round(batch)
                    batch = []
            if batch:
                yield from self._round(batch)
        finally:
            self.close()

    def dimension(self) -> int:
        """Asked only when nothing is embedded yet (the stored vectors say it otherwise): the model here."""
        from cableqa.embed import load_encoder

        return load_encoder(self.model, allow_download=self.allow_download).dimension

    def _round(self, sections: list[SectionText]) -> Iterator[list[EmbeddedSection]]:
        import ray

        self.connect()
        pool = self._encoder_pool()
        items = [vars(section) for section in sections]
        pipeline = ray.remote(_Round).options(num_cpus=0)  # it waits on the stages, which hold the cores
        round_ = pipeline.remote(items, self.model, self.allow_download, SECTIONS_PER_BATCH, *pool)
        try:
            pending = round_.next.remote()
            while (rows := ray.get(pending)) is not None:
                pending = round_.next.remote()  # the next batch is fetched while this one is stored
                yield [_embedded(rows, i) for i in range(len(rows["rowid"]))]
        except ray.exceptions.RayError as error:
            raise CableQAError(f"the Ray build failed: {_cause(error)}") from None
        finally:
            ray.kill(round_)

    def _encoder_pool(self) -> tuple[int, dict[str, float], str]:
        """(most encoder actors, resources of each, their torch device) for this cluster and --device."""
        import ray

        gpus = int(ray.cluster_resources().get("GPU", 0))
        if self.device == "cuda" and not gpus:
            raise CableQAError("--device cuda: the Ray cluster has no GPU (use --device auto or cpu)")
        if gpus and self.device != "cpu":
            return gpus, {"CPU": 1, "GPU": 1}, "cuda"
        node_cores = [node["Resources"].get("CPU", 0) for node in ray.nodes() if node["Alive"]]
        smallest = int(min((cores for cores in node_cores if cores), default=1))
        threads = max(1, min(MAX_THREADS_PER_ENCODER, smallest))
        encoders = max(1, sum(int(cores) // threads for cores in node_cores))
        return encoders, {"CPU": threads - CUT_CPUS}, "cpu"

    def connect(self) -> None:
        """Join the cluster, or start a local Ray, unless this process already has one."""
        import ray

        from cableqa.ray_cluster import connect

        for name in ("ray", "ray.data"):  # the build's own progress line says what they would
            logging.getLogger(name).setLevel(logging.ERROR)
        if not ray.is_initialized():
            connect(self.address)
            self._started_ray = True

    def close(self) -> None:
        """Leave the cluster, or stop the local Ray, if this engine started it."""
        if self._started_ray:
            import ray

            ray.shutdown()
            self._started_ray = False


class _Round:
    """One round's pipeline, driven from an actor on the cluster, which hands its batches back one
    `next()` at a time. Ray Data needs a driver that is part of the cluster: from a Ray client
    (`ray://`) it fails at once ("'Worker' object has no attribute 'core_worker'")."""

    def __init__(
        self,
        items: list[dict],
        model: str,
        allow_download: bool,
        batch_size: int,
        encoders: int,
        per_encoder: dict[str, float],
        device: str,
    ):
        import ray.data

        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # the writer stores sections in rowid order
        context.enable_progress_bars = False  # the build's own progress line says it
        context.print_on_execution_start = False
        cut = ray.data.from_items(items).map_batches(
            _cut_batch,
            fn_kwargs={"model": model, "allow_download": allow_download},
            batch_size=batch_size,
            num_cpus=CUT_CPUS,
        )
        embedded = cut.map_batches(
            _Encoder,
            fn_constructor_kwargs={"model": model, "device": device, "threads": math.ceil(per_encoder["CPU"])},
            batch_size=batch_size,
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=encoders),
            num_cpus=per_encoder.get("CPU", 0),
            num_gpus=per_encoder.get("GPU", 0),
        )
        self._batches = iter(embedded.iter_batches(batch_size=None, batch_format="numpy"))

    def next(self) -> dict[str, np.ndarray] | None:
        """The next batch of embedded sections, None after the last."""
        return next(self._batches, None)


def _cut_batch(rows: dict[str, np.ndarray], *, model: str, allow_download: bool) -> dict[str, np.ndarray]:
    """The cut stage: each section's window and sentence spans, flattened to [start, end, start, end, ...]."""
    cutter = _cutter(model, allow_download)
    windows, sentences = [], []
    for section in _sections(rows):
        cut = cutter.cut(section)
        windows.append(np.array(cut.windows, dtype=np.int64).reshape(-1))
        sentences.append(np.array(cut.sentences, dtype=np.int64).reshape(-1))
    return {**rows, "windows": _objects(windows), "sentences": _objects(sentences)}


_CUTTERS: dict[tuple[str, bool], object] = {}


def _cutter(model: str, allow_download: bool):
    """One cutter a worker process (Ray reuses workers between tasks: the tokenizer loads once)."""
    from cableqa.cutting import Cutter

    key = (model, allow_download)
    if key not in _CUTTERS:
        _CUTTERS[key] = Cutter(model, allow_download=allow_download)
    return _CUTTERS[key]


class _Encoder:
    """The embed stage: an actor holding one model, on its GPU or its share of a node's cores."""

    def __init__(self, model: str, device: str, threads: int):
        from cableqa.embed import batch_size_for, load_encoder

        self._encoder = load_encoder(model, purpose="build", device=device, threads=threads)
        self._batch_size = batch_size_for(self._encoder.device)

    def __call__(self, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from cableqa.cutting import CutSection, embed_sections

        cut = [
            CutSection(section, _spans(rows["windows"][i]), _spans(rows["sentences"][i]))
            for i, section in enumerate(_sections(rows))
        ]
        embedded = embed_sections(self._encoder, cut, self._batch_size)
        return {
            "rowid": rows["rowid"],
            "windows": rows["windows"],
            "sentences": rows["sentences"],
            "window_vectors": _objects([item.window_vectors.astype(np.float32).tobytes() for item in embedded]),
            "sentence_vectors": _objects([item.sentence_vectors.astype(np.float32).tobytes() for item in embedded]),
        }


def _sections(rows: dict[str, np.ndarray]) -> list[SectionText]:
    return [
        SectionText(int(rowid), str(subject), str(title), str(text))
        for rowid, subject, title, text in zip(rows["rowid"], rows["subject"], rows["title"], rows["text"], strict=True)
    ]


def _embedded(rows: dict[str, np.ndarray], i: int) -> EmbeddedSection:
    windows, sentences = _spans(rows["windows"][i]), _spans(rows["sentences"][i])
    return EmbeddedSection(
        int(rows["rowid"][i]),
        windows,
        np.frombuffer(rows["window_vectors"][i], dtype=np.float32).reshape(len(windows), -1),
        sentences,
        np.frombuffer(rows["sentence_vectors"][i], dtype=np.float32).reshape(len(sentences), -1),
    )


def _spans(flat) -> list[tuple[int, int]]:
    values = [int(value) for value in flat]
    return list(zip(values[::2], values[1::2], strict=True))


def _objects(values: list) -> np.ndarray:
    """A column of one Python object a row (arrays of differing lengths, bytes)."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def _cause(error: Exception) -> str:
    """The user's line from a Ray error: the exception at the bottom of it (a worker's, under the
    round's actor, under Ray Data's stage), a cableqa error as it is, another with its type."""
    cause = error
    while (deeper := getattr(cause, "cause", None) or cause.__cause__) is not None:
        cause = deeper
    return str(cause) if isinstance(cause, CableQAError) else f"{type(cause).__name__}: {one_line(cause)}"
