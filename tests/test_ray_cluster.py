"""Joining a real Ray cluster as the README says (`cableqa index --ray ray://HEAD:10001`): a head
node started here with `ray start --head`, token authentication on, its Ray client server on
loopback; and `--ray` alone, which starts a Ray of its own whatever cluster Ray recorded.

Skipped where the `ray` extra is not installed (`pip install 'cableqa[ray]'`); CI installs it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SEEDS

import cableqa
from cableqa import ray_cluster
from cableqa.cli import main

MISSING = "the ray extra is not installed: pip install 'cableqa[ray]'"
ray = pytest.importorskip("ray", reason=MISSING)
pytest.importorskip("ray.data", reason=MISSING)
pytest.importorskip("ray.util.client", reason=MISSING)
from test_ray_build import assert_same_index  # noqa: E402  (after the skips: it needs Ray too)

HEAD_START_SECONDS = 90  # `ray start --head` took ~5 s on 2 busy cores; a loaded CI machine, more
BUILD_SECONDS = 90  # a `--ray` build of the seed took 13-18 s here, Ray's start included
SRC = Path(cableqa.__file__).resolve().parents[1]


@dataclass
class Head:
    address: str  # ray://127.0.0.1:PORT, the Ray client server
    gcs_port: int
    token: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ray_env(**changes: str | None) -> dict[str, str]:
    """This process's environment without Ray's own settings, then `changes` (None: removed)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("RAY_")}
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


@pytest.fixture(scope="module")
def head():
    """A head node on loopback, token authentication on (`RAY_AUTH_MODE=token`, its token in
    `RAY_AUTH_TOKEN`: ~/.ray is left alone), that runs this checkout's cableqa. Always stopped."""
    temp = Path(tempfile.mkdtemp(prefix="cqray-", dir="/tmp"))  # short: Ray's sockets live under it
    client_port, gcs_port, token = free_port(), free_port(), secrets.token_hex(16)
    env = ray_env(
        RAY_AUTH_MODE="token",
        RAY_AUTH_TOKEN=token,
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
    )
    command = [sys.executable, "-m", "ray.scripts.scripts", "start", "--head", "--block"]
    command += ["--node-ip-address", "127.0.0.1", "--port", str(gcs_port), "--ray-client-server-port", str(client_port)]
    command += ["--dashboard-agent-listen-port", str(free_port()), "--include-dashboard", "false"]
    command += ["--num-cpus", "2", "--temp-dir", str(temp / "ray"), "--disable-usage-stats"]
    with open(temp / "head.log", "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + HEAD_START_SECONDS
        while not _listens(client_port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray start --head did not start: {(temp / 'head.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield Head(f"ray://127.0.0.1:{client_port}", gcs_port, token)
    finally:
        _stop(process, temp)


def _listens(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _stop(process: subprocess.Popen, temp: Path) -> None:
    """SIGKILL to the head's process group, and to anything else naming its temp folder: never
    another Ray on this machine. (A SIGTERM to `ray start --block` drains the node for 30 s first.)"""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(temp).encode() in (entry / "cmdline").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except OSError:  # gone meanwhile
            continue
    shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture
def no_ray_settings(monkeypatch, tmp_path):
    """No Ray setting of this machine's: no token variables, no ~/.ray (HOME is a fresh folder)."""
    for name in [name for name in os.environ if name.startswith("RAY_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_a_build_joins_a_head_node_by_ray_client_with_its_token(head, no_ray_settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAY_AUTH_TOKEN", head.token)
    index = tmp_path / "index"
    code = main(["index", str(SEEDS), "--index", str(index), "--model", "hashing", "--ray", head.address])
    out, err = capsys.readouterr()
    assert code == 0 and "built: 1 cable" in out, err
    assert "joining the Ray cluster" in err.splitlines()[0], err
    cableqa.build([SEEDS], tmp_path / "local", model="hashing")
    assert_same_index(index, tmp_path / "local")


REFUSALS = {  # what is wrong: the line that says it
    "no token": "the Ray cluster at {address} requires a token: set RAY_AUTH_TOKEN",
    "a wrong token": "the Ray cluster at {address} refused the token in RAY_AUTH_TOKEN: set RAY_AUTH_TOKEN",
    "a closed port": "cannot reach the Ray cluster at {address}: nothing answers there (Connection refused)",
    "the GCS port": "cannot reach the Ray cluster at {address}: what answers there is not a Ray client server",
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_cluster_that_refuses_is_one_line_and_exit_2_at_once(
    head, no_ray_settings, tmp_path, monkeypatch, capsys, case
):
    address = {"a closed port": f"ray://127.0.0.1:{free_port()}", "the GCS port": f"ray://127.0.0.1:{head.gcs_port}"}
    address = address.get(case, head.address)
    if case != "no token":
        monkeypatch.setenv("RAY_AUTH_TOKEN", "not-the-token" if case == "a wrong token" else head.token)
    index = tmp_path / "index"
    started = time.monotonic()
    assert main(["index", str(SEEDS), "--index", str(index), "--model", "hashing", "--ray", address]) == 2
    assert time.monotonic() - started < ray_cluster.PING_SECONDS  # Ray's own client gave up after 31 s
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and REFUSALS[case].format(address=address) in err, err
    assert not list(index.glob("gen-*"))  # nothing half-built is left


def test_ray_alone_starts_a_ray_of_its_own_whatever_cluster_ray_recorded(tmp_path):
    """A cluster recorded, then gone: `ray.init(address=None)` tried to join it and hung."""
    temp = Path(tempfile.mkdtemp(prefix="cqray-", dir="/tmp"))
    try:
        (temp / "ray").mkdir()
        (temp / "ray" / "ray_current_cluster").write_text(f"127.0.0.1:{free_port()}")
        env = ray_env(RAY_TMPDIR=str(temp), HOME=str(tmp_path), PYTHONPATH=str(SRC))
        command = [sys.executable, "-m", "cableqa", "index", str(SEEDS), "--index", str(tmp_path / "index")]
        built = subprocess.run(
            [*command, "--model", "hashing", "--ray"], env=env, capture_output=True, text=True, timeout=BUILD_SECONDS
        )
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    assert built.returncode == 0 and "built: 1 cable" in built.stdout, built.stderr[-2000:]


def test_the_token_is_the_one_ray_itself_reads(no_ray_settings, tmp_path, monkeypatch):
    from ray._raylet import AuthenticationTokenLoader

    loader = AuthenticationTokenLoader.instance()

    def rays() -> str | None:
        loader.reset_cache()
        return loader.get_raw_token(ignore_auth_mode=True) if loader.has_token(ignore_auth_mode=True) else None

    def ours() -> str | None:
        found = ray_cluster.auth_token()
        return found[0] if found else None

    try:
        assert ours() is None and rays() is None
        (tmp_path / "home" / ".ray").mkdir(parents=True)
        (tmp_path / "home" / ".ray" / "auth_token").write_text("from-the-default-file\n")
        assert ours() == rays() == "from-the-default-file"
        (tmp_path / "named").write_text("  from-the-named-file \n")
        monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(tmp_path / "named"))
        assert ours() == rays() == "from-the-named-file"
        monkeypatch.setenv("RAY_AUTH_TOKEN", " from-the-variable ")
        assert ours() == rays() == "from-the-variable"
    finally:
        monkeypatch.undo()
        loader.reset_cache()
