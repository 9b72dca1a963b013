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


def load(index_dir=None, **options):
    """Open an index for questions (default: `locations.default_index()`); see `cableqa.assistant.load`."""
    from cableqa.assistant import load as _load

    return _load(index_dir, **options)


def build(sources, index_dir=None, **options):
    """Build or update an index from cable files (default: `locations.default_index()`); see `cableqa.indexing.build`."""
    from cableqa.indexing import build as _build

    return _build(sources, index_dir, **options)
