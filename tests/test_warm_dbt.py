"""The warm dbt server (orchestration/warm_dbt.py): `lapak-dbt` behaves as `dbt`, with or without a server."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from orchestration import warm_dbt
from orchestration.dbt import DBT_PROJECT_DIR
from orchestration.warm_dbt import ENV, OFF, PARSE_ENV, WarmDbt

pytestmark = pytest.mark.e2e  # starts dbt servers and runs whole dbt commands in subprocesses

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LAPAK_DBT, DBT = str(BIN / "lapak-dbt"), str(BIN / "dbt")
# dbt ls on the in-memory target: a real dbt command that reads the project, no warehouse needed
LS = [
    "ls",
    "--target",
    "lint",
    "--profiles-dir",
    str(DBT_PROJECT_DIR),
    "-q",
    "--resource-type",
    "model",
    "--select",
    "customers ltv_weekly",
]


def _run(executable: str, args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != ENV} | env
    return subprocess.run(
        [executable, *args, *(["--target-path", str(tmp_path / "target")] if args[:1] == ["ls"] else [])],
        cwd=DBT_PROJECT_DIR, env=full_env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_without_a_server_lapak_dbt_is_dbt(tmp_path):
    mine, theirs = _run(LAPAK_DBT, LS, tmp_path), _run(DBT, LS, tmp_path)
    assert (mine.returncode, mine.stdout) == (theirs.returncode, theirs.stdout) == (0, theirs.stdout)
    assert theirs.stdout.split() == ["lapak.marts.customers", "lapak.marts.ltv_weekly"]
    # a server that is gone (its socket left behind, or never there) falls back to dbt as well
    gone = _run(LAPAK_DBT, LS, tmp_path, **{ENV: str(tmp_path / "no-such.sock")})
    assert (gone.returncode, gone.stdout) == (0, theirs.stdout)


def test_warm_server_runs_dbt_commands_with_their_output_and_exit_code(tmp_path):
    with WarmDbt() as warm:
        server = warm._process
        assert server is not None and os.environ[ENV] == warm.path
        listed = _run(LAPAK_DBT, LS, tmp_path, **{ENV: warm.path})
        again = _run(LAPAK_DBT, LS, tmp_path, **{ENV: warm.path})  # each command in a fresh fork
        bad = _run(LAPAK_DBT, ["--no-such-option"], tmp_path, **{ENV: warm.path})
        assert server.poll() is None  # it served them: it did not end, and fell back on nothing
    assert listed.returncode == again.returncode == 0, listed.stderr
    assert listed.stdout.split() == again.stdout.split() == ["lapak.marts.customers", "lapak.marts.ltv_weekly"]
    theirs = _run(DBT, ["--no-such-option"], tmp_path)
    assert bad.returncode == theirs.returncode == 2
    assert bad.stderr == theirs.stderr and "Usage: dbt" in bad.stderr
    assert server.poll() is not None and ENV not in os.environ and not Path(warm.path).exists()


def test_the_server_ends_without_leaving_semaphores_to_multiprocessing(tmp_path):
    """dbt makes named semaphores in the server; a killed server left them to multiprocessing's resource tracker,
    which warned of "leaked semaphore objects" on lapak's stderr after every run. The tracker inherits that
    stderr: the pipe below closes only when it has ended too, so its warning would be in `out.stderr`."""
    script = (
        "import os, subprocess\n"
        "from orchestration.warm_dbt import ENV, WarmDbt\n"
        "with WarmDbt() as warm:\n"
        f"    done = subprocess.run([{LAPAK_DBT!r}, *{LS!r}, '--target-path', {str(tmp_path / 'target')!r}],\n"
        f"        cwd={str(DBT_PROJECT_DIR)!r}, env=os.environ | {{ENV: warm.path}}, capture_output=True)\n"
        "    assert done.returncode == 0, done.stderr\n"
        "    assert warm._process.poll() is None\n"
        "assert warm._process.returncode == 0, warm._process.returncode  # ended by itself, not killed\n"
    )
    env = {k: v for k, v in os.environ.items() if k != ENV}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "leaked semaphore" not in out.stderr, out.stderr


def test_commands_of_the_warm_project_start_from_the_warm_up_manifest_without_parsing(tmp_path):
    """A `run` in the project the server warmed up takes its manifest: dbt's debug log has no parse in it
    (the state check's checksum line). With `--vars` it parses, as dbt would, and both end as dbt does."""
    env = {"LAPAK_WAREHOUSE": str(tmp_path / "warehouse.duckdb"), "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    runs = {}
    with WarmDbt() as warm:
        # a client that finds no socket yet runs dbt cold (harmless in lapak, whose first dbt command comes later)
        deadline = time.monotonic() + 60
        while not Path(warm.path).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        for name, extra in (("warm", []), ("vars", ["--vars", "{}"])):
            args = ["run", "--select", "none_such", "--log-level-file", "debug", *extra]
            args += ["--target-path", str(tmp_path / name / "target"), "--log-path", str(tmp_path / name)]
            runs[name] = _run(LAPAK_DBT, args, tmp_path, **env, **{ENV: warm.path})
    for name, done in runs.items():
        assert done.returncode == 0 and "Nothing to do" in done.stdout, done.stdout + done.stderr
        assert (tmp_path / name / "target" / "run_results.json").exists()
    assert "checksum:" not in (tmp_path / "warm" / "dbt.log").read_text()
    assert "checksum:" in (tmp_path / "vars" / "dbt.log").read_text()


def test_only_commands_that_would_parse_the_same_manifest_take_the_warm_one(monkeypatch, tmp_path):
    manifest = SimpleNamespace(env_vars={"LAPAK_SOMETHING": "1"})
    monkeypatch.setattr(warm_dbt, "WARM", {"manifest": manifest, "project": DBT_PROJECT_DIR, "warehouse": "w.duckdb"})
    here, env = str(DBT_PROJECT_DIR), {"LAPAK_WAREHOUSE": "/any/folder/w.duckdb", "LAPAK_SOMETHING": "1"}
    build = ["build", "--select", "customers"]
    assert warm_dbt.warm_manifest(build, here, env) is manifest
    assert warm_dbt.warm_manifest(["--debug", "test"], here, {**env, "DBT_PROFILES_DIR": here}) is manifest
    assert warm_dbt.warm_manifest([*build, "--project-dir", here, "--profiles-dir=" + here], "/", env) is manifest
    for args, cwd, other in [
        (["parse"], here, env),  # parse writes the state: it parses
        (["ls"], here, env),
        ([*build, "--vars", "{}"], here, env),
        ([*build, "--target", "lint"], here, env),
        (build, here, {**env, "DBT_TARGET": "lint"}),
        (build, str(tmp_path), env),  # another project
        (build, here, {**env, "DBT_PROFILES_DIR": str(tmp_path)}),  # other profiles
        (build, here, {**env, "LAPAK_WAREHOUSE": "/any/folder/other.duckdb"}),  # another database name
        (build, here, {**env, "LAPAK_SOMETHING": "2"}),  # an environment variable the parse read, changed
    ]:
        assert warm_dbt.warm_manifest(args, cwd, other) is None, (args, cwd, other)
    monkeypatch.setattr(warm_dbt, "WARM", {})  # no warm-up (it failed, or was turned off)
    assert warm_dbt.warm_manifest(build, here, env) is None


def test_off_starts_no_server(monkeypatch):
    monkeypatch.setenv(ENV, OFF)
    with WarmDbt() as warm:
        assert warm._process is None and os.environ[ENV] == OFF
    assert os.environ[ENV] == OFF


def test_warm_up_parses_in_a_folder_of_its_own_and_leaves_one_thread(tmp_path):
    """The server's warming `dbt parse` (here a full one: a copy of the project without its target folder)
    succeeds, writes nothing in the project, leaves no folder behind, and leaves the process with one
    thread: a fork after dbt's static parser had started its threads hung in the child."""
    project, tmp = tmp_path / "project", tmp_path / "tmp"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    tmp.mkdir()
    env = {**{k: v for k, v in os.environ.items() if k != ENV}, "TMPDIR": str(tmp)}
    code = (
        "import sys; from pathlib import Path; from orchestration.warm_dbt import warm_up, native_threads; "
        "ok = warm_up(Path(sys.argv[1])); print(ok, native_threads())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(project)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.stdout.split() == ["True", "1"], done.stdout + done.stderr
    assert sorted(p.name for p in project.iterdir()) == sorted(
        p.name for p in DBT_PROJECT_DIR.iterdir() if p.name not in ("target", "logs", "dbt_packages")
    )
    assert list(tmp.iterdir()) == []


def test_a_server_with_another_thread_forks_nothing_and_commands_run_cold(tmp_path):
    """A fork copies only the thread that forks: a server with a second thread (here a sleeping one) must not
    fork; each command then falls back to a cold dbt, with the same result."""
    sock = tmp_path / "dbt.sock"
    code = (
        "import sys, threading, time; from orchestration import warm_dbt; "
        "threading.Thread(target=time.sleep, args=(600,), daemon=True).start(); warm_dbt.serve(sys.argv[1])"
    )
    env = {k: v for k, v in os.environ.items() if k != ENV} | {PARSE_ENV: OFF}
    server = subprocess.Popen(
        [sys.executable, "-c", code, str(sock)], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        said = server.stderr.readline()  # ty: ignore[possibly-missing-attribute]
        assert "every command runs cold" in said, said
        listed = _run(LAPAK_DBT, LS, tmp_path, **{ENV: str(sock)})
        assert server.poll() is None
    finally:
        server.kill()
        server.wait()
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == ["lapak.marts.customers", "lapak.marts.ltv_weekly"]


class FakeServer:
    """The server's side of the protocol, in this process: records the request, answers as told."""

    def __init__(self, path: Path, answer):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.listener.bind(str(path))
        self.listener.listen(1)
        self.request, self.answer = None, answer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.listener.accept()
        message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
        self.request = json.loads(message)
        try:
            self.answer(conn, fds)
        finally:
            for fd in fds:
                os.close(fd)
            conn.close()


def test_client_hands_over_args_cwd_env_and_streams_and_exits_with_the_code(tmp_path):
    def answer(conn, fds):
        conn.sendall(json.dumps({"pid": os.getpid()}).encode())
        os.write(fds[1], b"from the server\n")
        os.write(fds[2], b"an error line\n")
        conn.sendall(json.dumps({"exit": 3}).encode())

    server = FakeServer(tmp_path / "s.sock", answer)
    done = subprocess.run(
        [LAPAK_DBT, "build", "--select", "x y"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, ENV: str(tmp_path / "s.sock"), "LAPAK_REBUILD_WINDOWS": '{"a": 1}'},
    )  # fmt: skip
    server.thread.join(5)
    assert (done.returncode, done.stdout, done.stderr) == (3, "from the server\n", "an error line\n")
    assert server.request["args"] == ["build", "--select", "x y"]
    assert server.request["cwd"] == str(tmp_path)
    assert server.request["env"]["LAPAK_REBUILD_WINDOWS"] == '{"a": 1}'


def test_client_forwards_sigterm_to_the_dbt_process_and_reports_a_lost_one(tmp_path):
    sleeper = subprocess.Popen(["sleep", "60"])
    started = threading.Event()

    def answer(conn, fds):
        conn.sendall(json.dumps({"pid": sleeper.pid}).encode())
        started.set()
        sleeper.wait(30)  # ends when the client passes the signal on
        # no exit code sent: as if the dbt process had been killed before it could report one

    FakeServer(tmp_path / "s.sock", answer)
    client = subprocess.Popen(
        [LAPAK_DBT, "build"], env={**os.environ, ENV: str(tmp_path / "s.sock")},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert started.wait(30)
    client.send_signal(signal.SIGTERM)
    _, err = client.communicate(timeout=30)
    assert sleeper.wait(5) == -signal.SIGTERM
    assert client.returncode == 1 and "ended without an exit code" in err


def _parse_events(executable: str, target: Path, warehouse: Path) -> list[str]:
    """`parse` into `target` for `warehouse`: the reasons dbt gave for not parsing partially."""
    args = ["--log-format", "json", "parse", "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target)]
    done = subprocess.run(
        [executable, *args], cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=300,
        env={**{k: v for k, v in os.environ.items() if k != ENV}, "LAPAK_WAREHOUSE": str(warehouse)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return [e["info"]["msg"] for e in events if e["info"]["name"] == "UnableToPartialParse"]


def test_lapak_dbt_keeps_the_partial_parse_state_for_a_warehouse_in_another_folder(tmp_path):
    """A new home (its warehouse in another folder) parses partially through lapak-dbt; plain dbt re-parses
    the whole project for it, and lapak-dbt once more after plain dbt has rewritten the state."""
    target = tmp_path / "target"
    first = _parse_events(LAPAK_DBT, target, tmp_path / "a" / "warehouse.duckdb")
    assert first and "saved manifest not found" in first[0]
    assert _parse_events(LAPAK_DBT, target, tmp_path / "b" / "warehouse.duckdb") == []
    assert any("profile has changed" in m for m in _parse_events(DBT, target, tmp_path / "c" / "warehouse.duckdb"))
    assert any(
        "profile has changed" in m for m in _parse_events(LAPAK_DBT, target, tmp_path / "c" / "warehouse.duckdb")
    )


def test_prepare_partial_parse_parses_only_when_the_state_does_not_serve_the_warehouse(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import orchestration.dbt as lapak_dbt

    target, parsed = tmp_path / "target", []
    target.mkdir()

    def fake_parse(env):
        parsed.append(env["LAPAK_WAREHOUSE"])
        (target / "partial_parse.msgpack").write_bytes(os.urandom(8))

    monkeypatch.setattr(lapak_dbt, "dbt_project", SimpleNamespace(project_dir=tmp_path, target_path="target"))
    monkeypatch.setattr(lapak_dbt, "dbt_parse", fake_parse)
    home = tmp_path / "homes"
    for warehouse in ("one/warehouse.duckdb", "one/warehouse.duckdb", "two/warehouse.duckdb", "two/other.duckdb"):
        lapak_dbt.prepare_partial_parse(home / warehouse)
    assert parsed == [str(home / "one/warehouse.duckdb"), str(home / "two/other.duckdb")]
    os.utime(target / "partial_parse.msgpack", ns=(0, 0))  # another dbt has rewritten the state since
    lapak_dbt.prepare_partial_parse(home / "two/other.duckdb")
    assert parsed[-1] == str(home / "two/other.duckdb") and len(parsed) == 3
    monkeypatch.setattr(lapak_dbt, "dbt_executable", lambda: "dbt")  # plain dbt: only the same path serves
    lapak_dbt.prepare_partial_parse(home / "three/other.duckdb")
    lapak_dbt.prepare_partial_parse(home / "three/other.duckdb")
    assert parsed[3:] == [str(home / "three/other.duckdb")]
