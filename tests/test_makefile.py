"""The Makefile installs what each command needs: `make run` the chat alone, `make test` the test
tools and Ray on top, and the CPU build of torch from a local wheel before PyTorch's index."""

import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the Makefile itself needs nothing of it

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def recipe(target: str, tmp_path) -> list[str]:
    """The commands `make TARGET` runs on a fresh machine (make -n: printed, not run), one per line."""
    result = subprocess.run(
        ["make", "-n", "-B", target, f"VENV={tmp_path / 'venv'}"], cwd=REPO, capture_output=True, text=True, check=True
    )
    return result.stdout.replace("\\\n", " ").splitlines()


def installed(commands: list[str]) -> set[str]:
    """The names of the distributions the `pip install -e .[extras]` commands ask for, extras resolved
    through pyproject.toml (its dependencies and those of each extra named)."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for command in commands:
        for match in re.finditer(r"pip install .*?-e '?\.(?:\[([\w,]+)\])?'?", command):
            for extra in filter(None, (match.group(1) or "").split(",")):
                wanted += project["optional-dependencies"][extra]
    return {re.match(r"[A-Za-z0-9_.-]+", requirement).group().lower() for requirement in wanted}


def test_make_run_installs_no_ray_and_no_pytest(tmp_path):
    run = recipe("run", tmp_path)
    assert any("pip install" in command and "-e ." in command for command in run)
    assert not {"ray", "pytest", "lightgbm", "ruff"} & installed(run)
    assert {"textual", "sentence-transformers", "faiss-cpu"} <= installed(run)


def test_make_test_adds_the_test_tools_and_ray(tmp_path):
    assert {"ray", "pytest", "pytest-textual-snapshot"} <= installed(recipe("test", tmp_path))


def test_torch_comes_from_a_local_wheel_first_and_pytorchs_index_after(tmp_path):
    """Pip's find-links (e.g. /opt/wheels) serve offline before an index that may not answer: the
    other way round, pip retried the unreachable index five times (9-20 s) before the local wheel."""
    (torch,) = [command for command in recipe("run", tmp_path) if "--no-deps" in command]
    offline, _, online = torch.partition("||")
    assert "--no-index" in offline and "--index-url" not in offline
    assert "--index-url https://download.pytorch.org/whl/cpu" in online and "--no-index" not in online
    assert re.search(r'"torch==[\d.]+"', offline) and re.search(r'"torch==[\d.]+"', online)


def test_the_ci_runs_make_test():
    assert re.search(r"^make test$", (REPO / ".ci" / "run").read_text(), re.MULTILINE)


@pytest.mark.skipif(sys.platform != "linux", reason="the shell of the recipe")
def test_the_torch_step_falls_back_to_the_index_when_no_local_wheel_serves(tmp_path):
    """Run the torch step with a pip that records its arguments and fails offline, as pip does when
    no local wheel satisfies the pin: the index is asked next, and the step succeeds."""
    bin_folder = tmp_path / "venv" / "bin"
    bin_folder.mkdir(parents=True)
    log = tmp_path / "pip.log"
    pip = bin_folder / "pip"
    pip.write_text(f'#!/bin/sh\necho "$@" >> {log}\ncase "$*" in *--no-index*) exit 1;; esac\n')
    pip.chmod(0o755)
    (torch,) = [command for command in recipe("run", tmp_path) if "--no-deps" in command]
    subprocess.run(["sh", "-c", torch], check=True)
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and "--no-index" in calls[0] and "--index-url" in calls[1]
