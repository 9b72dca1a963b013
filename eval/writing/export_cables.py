"""Write each shared cable's clean text (header lines, a blank line, the body cableqa reads) for the writers:

QGEN=/work/qgen python export_cables.py ../shared/corpus/cablegate-html
"""

import os
import sys
from pathlib import Path

import cableqa

out = Path(os.environ.get("QGEN", "/work/qgen")) / "cables"
out.mkdir(parents=True, exist_ok=True)
for cable in cableqa.read(sys.argv[1]):
    header = f"ID: {cable.doc_id}\nSUBJECT: {cable.subject}\nDATE: {cable.date}\nORIGIN: {cable.origin}\nCLASSIFICATION: {cable.classification}"
    (out / f"{cable.doc_id}.txt").write_text(f"{header}\n\n{cable.body}\n")
