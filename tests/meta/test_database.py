"""The example database a run uses (reports/database.py), against a real Redis server: a failure that one process
finds is replayed first by a second process that shares only the server with it (another local directory)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis.database import DirectoryBasedExampleDatabase, MultiplexedDatabase

from reports.database import KEY_PREFIX, example_database

REDIS_SERVER = shutil.which("redis-server")
START_TIMEOUT_S = 10.0  # a local redis-server answers within milliseconds; 10 s bounds a broken start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A throw-away redis-server on a free local port (no persistence); stopped when the test ends."""
    if REDIS_SERVER is None:
        if os.environ.get("CLAIMS_REQUIRE_REDIS"):
            pytest.fail("CLAIMS_REQUIRE_REDIS is set but redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server); CI installs it")
    import redis

    port = _free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                redis.Redis.from_url(url, socket_timeout=1).ping()
                break
            except redis.exceptions.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server did not start on port {port} (exit status {proc.poll()})")
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


TOY = """
import os
from hypothesis import given, settings, strategies as st
from reports.database import example_database

THRESHOLD = 987_654_321


@settings(database=example_database(os.environ["TOY_LOCAL_DB"]), max_examples=300, deadline=None)
@given(x=st.integers(0, 10**9))
def test_toy_property(x):
    with open(os.environ["TOY_TRIED"], "a") as fh:
        fh.write(f"{x}\\n")
    assert x < THRESHOLD
"""


def _run_toy(tmp_path: Path, name: str, redis_url: str | None) -> tuple[int, list[int], str]:
    """Run the toy property in a fresh Python process with its own local database directory."""
    (tmp_path / "test_toy.py").write_text(TOY)
    tried = tmp_path / f"{name}.tried"
    selectors = ("CLAIMS_REDIS_URL", "CLAIMS_EXAMPLE_DB", "CLAIMS_GITHUB_DB")
    env = {k: v for k, v in os.environ.items() if k not in selectors}
    env.update(
        TOY_LOCAL_DB=str(tmp_path / f"{name}-local-db"),
        TOY_TRIED=str(tried),
        PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")]),
    )
    if redis_url:
        env["CLAIMS_REDIS_URL"] = redis_url
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_toy.py", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    values = [int(v) for v in tried.read_text().split()] if tried.exists() else []
    return proc.returncode, values, proc.stdout + proc.stderr


def test_a_second_process_replays_the_failure_the_first_found_through_redis(tmp_path, redis_url):
    import redis

    code1, tried1, out1 = _run_toy(tmp_path, "first", redis_url)
    assert code1 == 1, out1
    assert "x=987654321" in out1  # found and shrunk to the boundary
    keys = redis.Redis.from_url(redis_url).keys(KEY_PREFIX + b"*")
    assert keys, "the first run wrote nothing to the shared server"

    code2, tried2, out2 = _run_toy(tmp_path, "second", redis_url)  # a new process, an empty local directory
    assert code2 == 1 and "x=987654321" in out2, out2
    assert tried2[0] == 987_654_321, f"the second run did not start from the shared failure: {tried2[:5]}"
    assert len(tried2) < len(tried1), (len(tried2), len(tried1))

    # control: without the server, a fresh process does not start from that failure
    code3, tried3, out3 = _run_toy(tmp_path, "alone", None)
    assert tried3[0] != 987_654_321, out3


def test_the_environment_selects_the_database(tmp_path, redis_url):
    plain = example_database(tmp_path / "d", env={})
    assert isinstance(plain, DirectoryBasedExampleDatabase) and Path(plain.path) == tmp_path / "d"
    moved = example_database(tmp_path / "d", env={"CLAIMS_EXAMPLE_DB": str(tmp_path / "e")})
    assert Path(moved.path) == tmp_path / "e"
    shared = example_database(tmp_path / "d", env={"CLAIMS_REDIS_URL": redis_url})
    assert isinstance(shared, MultiplexedDatabase)
    shared.save(b"k", b"v")  # written to both the server and the local directory
    assert list(example_database(tmp_path / "other", env={"CLAIMS_REDIS_URL": redis_url}).fetch(b"k")) == [b"v"]
    assert list(DirectoryBasedExampleDatabase(tmp_path / "d").fetch(b"k")) == [b"v"]


def test_a_configured_server_that_does_not_answer_is_an_error_not_a_silent_fallback(tmp_path):
    url = f"redis://127.0.0.1:{_free_port()}/0"
    with pytest.raises(RuntimeError, match="CLAIMS_REDIS_URL.*does not answer"):
        example_database(tmp_path, env={"CLAIMS_REDIS_URL": url})
