"""Start-up: what asking imports, when the TUI starts loading, the query encoder's cache layout.

The figures themselves come from `benchmarks/bench_tui.py`; these tests keep the causes in place.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO, SEED_ID

# Modules a question over an existing index must not import: the build (and its readers and their
# HTML parser) and the build-time model stack.
NOT_ON_THE_ASK_PATH = ("cableqa.indexing", "cableqa.readers", "lxml", "torch", "sentence_transformers")


@pytest.mark.model
def test_asking_imports_neither_the_build_nor_torch(real_seed_index):
    """Load and ask over an existing index, in a fresh process: the modules above stay unimported."""
    script = (
        "import sys, cableqa\n"
        f"qa = cableqa.load({str(real_seed_index)!r}, build_missing=False)\n"
        "print(qa.ask('How much heroin was seized at Dunkerque?').hits[0].doc_id)\n"
        f"banned = {NOT_ON_THE_ASK_PATH!r}\n"
        "print(*[m for m in sorted(sys.modules) if any(m == b or m.startswith(b + '.') for b in banned)] or ['none'])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.split() == [SEED_ID, "none"]
