"""Regenerate docs/screenshot.svg: the app answering the seed question over the real model.

    python docs/make_screenshot.py [--index DIR]

Without --index the seed is indexed with the bundled model into a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTION = "How much heroin was seized at Dunkerque?"


async def shoot(index_dir: str, target: Path) -> None:
    from cableqa.tui.app import make_app

    app = make_app(index_dir)
    async with app.run_test(size=(100, 34)) as pilot:
        await app.workers.wait_for_complete()
        box = app.query_one("#question")
        box.cursor_blink = False
        box.value = QUESTION
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        app.save_screenshot(filename=target.name, path=str(target.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", help="an existing index built with the bundled model")
    args = parser.parse_args()
    target = REPO / "docs" / "screenshot.svg"
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = args.index
        if index_dir is None:
            import cableqa

            index_dir = str(Path(scratch) / "index")
            cableqa.build([str(REPO / "seeds")], index_dir)
        asyncio.run(shoot(index_dir, target))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
