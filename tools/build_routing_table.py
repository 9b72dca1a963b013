"""Build src/cableqa/data/routing_indicators.tsv from the WikiLeaks cable-viewer pages.

Each page names the sending post in its table (Origin, and the post code inside the
Reference ID) and its transmission header names the routing indicator on the DE line
(`DE RUEHFR #4695/01 3470959`). Pairing them over the shared corpus gives the
indicator -> post table that lets us name the post of a cable that only shows its
DE line (like the seed). When an indicator is seen with several posts, the most
frequent pairing wins.

    python tools/build_routing_table.py [CORPUS_DIR] [OUTPUT_TSV]
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from pathlib import Path

from cableqa.header import parse_de_line
from cableqa.readers.wikileaks import read_page

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "cablegate-html"
DEFAULT_OUTPUT = REPO / "src" / "cableqa" / "data" / "routing_indicators.tsv"


def collect_pairings(corpus: Path) -> dict[str, Counter]:
    """Map each routing indicator to a count of (origin, post code) pairings."""
    pairings: dict[str, Counter] = defaultdict(Counter)
    for path in sorted(corpus.rglob("*.html")):
        page = read_page(path)
        de_line = parse_de_line(page.header_text)
        if de_line is None:
            continue
        post_code = page.doc_id.lstrip("0123456789").rstrip("0123456789")
        pairings[de_line.indicator][(page.origin, post_code)] += 1
    return pairings


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUTPUT
    pairings = collect_pairings(corpus)
    rows = ["indicator\torigin\tpost_code"]
    for indicator in sorted(pairings):
        (origin, post_code), _count = pairings[indicator].most_common(1)[0]
        rows.append(f"{indicator}\t{origin}\t{post_code}")
    output.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows) - 1} routing indicators written to {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
