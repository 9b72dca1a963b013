"""cableqa: ask questions of US diplomatic cables, get back the cables' own words, cited.

The public API is small and lazy: importing `cableqa` loads neither torch nor FAISS.

    import cableqa
    for cable in cableqa.read("seeds/"):        # read and section cables
        ...
    cableqa.build(["seeds/"], "index")          # build or update an index
    qa = cableqa.load("index")                  # open it (built from seeds/ when missing)
    answer = qa.ask("How much heroin was seized at Dunkerque?")
"""

from __future__ import annotations

from cableqa.types import Answer, Cable, Hit, Section

__all__ = ["Answer", "Cable", "Hit", "Section", "read", "load", "build"]
__version__ = "0.1.0"


def read(path, *, on_skip=None):
    """Yield the cables in a file or folder (format detected per file); see `cableqa.readers.read`."""
    from cableqa.readers import read as _read

    return _read(path, on_skip=on_skip)


def load(index_dir=None, *, model=None, progress=None, build_missing=True):
    """Open an index for questions (default: `locations.default_index()`); see `cableqa.assistant.load`.

    A missing index is built from the shipped `seeds/` first (`build`, reporting to `progress`),
    unless `build_missing=False` or the folder holds cables (never build into a folder of cables):
    then it is an error. Only this path imports the build; an existing index opens without it.
    """
    from pathlib import Path

    from cableqa.assistant import load as _load
    from cableqa.index_files import is_index
    from cableqa.locations import default_index

    directory = Path(index_dir) if index_dir is not None else default_index()
    if build_missing and not is_index(directory):
        from cableqa.readers import holds_cables

        if not holds_cables(directory):
            build(None, directory, model=model, progress=progress)
    return _load(directory, model=model)


def build(sources, index_dir=None, **options):
    """Build or update an index from cable files (default: `locations.default_index()`); see `cableqa.indexing.build`."""
    from cableqa.indexing import build as _build

    return _build(sources, index_dir, **options)
