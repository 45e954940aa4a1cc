"""A warm dbt: dbt imported once per `lapak run`, each dbt command a fork of that process.

Importing dbt takes 3-4 s (mostly mashumaro compiling its (de)serialisers), and a run invokes dbt two or
three times (the facts step, the marts step and, in a new home, one parse): seconds of a small run's
fixed cost spent importing the same modules again (docs/performance.md, decision log). So `lapak run` starts a server
that imports dbt and its DuckDB adapter once (`WarmDbt`, while ingestion runs), and dagster-dbt calls
`lapak-dbt` instead of `dbt`: a small client (standard library only) that hands its arguments, working
folder, environment and standard streams to the server, which forks a child that runs the command
exactly as the `dbt` script would. The child writes to the client's own stdout and stderr, so
dagster-dbt reads dbt's events as before; the client exits with dbt's exit code and passes SIGINT and
SIGTERM on to the child.

The first dbt command in a process also pays costs that later ones do not (mashumaro compiling the
(de)serialisers of the manifest's classes on first use, and the like). So after
its imports the server runs one `dbt parse` of lapak's project itself, on a copy of its partial-parse
state in a folder of its own, and every command it forks starts past that (docs/performance.md, decision
log). `LAPAK_WARM_DBT_PARSE=off` skips it (to measure what it buys). A `build`,
`run` or `test` of that project, with its profiles, target and warehouse file name, then starts from the
manifest that parse made instead of re-checking the project's files (`warm_manifest`).

Without a server (`LAPAK_WARM_DBT` unset, as under `dagster dev`, or a server that is gone), `lapak-dbt`
replaces itself with a fresh dbt (`python -m orchestration.warm_dbt --dbt ARGS`): every caller gets the
same dbt either way. `LAPAK_WARM_DBT=off` makes `lapak run` start none.

Both run dbt with one change (`folder_blind_state_check`): dbt's partial-parse state no longer depends on
the folder that holds the warehouse. dbt throws its partial-parse state away whenever the rendered profile
changes, and the profile holds the warehouse's path, so every new home (a new shop's, each test's, each
benchmark scale's) paid a full parse of the project before its first step (docs/performance.md, decision
log). lapak's manifest does not depend on that
folder (two parses for two homes differ only in their timestamps). The file's name still counts, and
everything else in the profile; `tests/test_warm_dbt.py` checks both ways.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from lapak.settings import WAREHOUSE_ENV, WAREHOUSE_FILE

ENV = "LAPAK_WARM_DBT"  # the server's socket
OFF = "off"  # LAPAK_WARM_DBT=off: `lapak run` starts no server
PARSE_ENV = "LAPAK_WARM_DBT_PARSE"  # off: the server imports dbt, and does not run a parse to warm it
DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
PARSED_FOR = "lapak_parsed_for.txt"  # beside the partial-parse state: the warehouse it was parsed for
MAX_REQUEST = 1 << 20  # arguments, working folder and environment of one command
EXIT_TIMEOUT_S = 5  # how long lapak waits for the server to end by itself before killing it


def cold_dbt() -> list[str]:
    """The command that runs dbt in a process of its own, as the server's children do (see `main`)."""
    return [sys.executable, "-m", "orchestration.warm_dbt", "--dbt"]


# --- the partial-parse state ---------------------------------------------------------------------------


def folder_blind_state_check() -> None:
    """Make this process's dbt compare partial-parse states without the folder of a DuckDB warehouse.

    dbt hashes the profile's connection keys (`ManifestLoader.build_manifest_state_check`, dbt-core 1.11)
    and re-parses the whole project when the hash changes; this hashes the same keys with the warehouse's
    path cut to its file name. A state written by plain `dbt` has the full hash and is re-parsed once."""
    import pprint
    from pathlib import PurePath

    from dbt.contracts.files import FileHash
    from dbt.parser.manifest import ManifestLoader

    build = ManifestLoader.build_manifest_state_check
    if getattr(build, "folder_blind", False):
        return

    def build_manifest_state_check(self):  # dbt's signature
        state = build(self)
        credentials = self.root_project.credentials
        if credentials.type == "duckdb":
            keys = sorted(
                (key, PurePath(value).name if key == "path" and isinstance(value, str) else value)
                for key, value in credentials.connection_info()
            )
            state.profile_hash = FileHash.from_contents(pprint.pformat(keys))
        return state

    build_manifest_state_check.folder_blind = True  # ty: ignore[unresolved-attribute]
    ManifestLoader.build_manifest_state_check = build_manifest_state_check


def read_parsed_for(target: Path) -> dict | None:
    """What the project's partial-parse state in `target` was parsed for, as `write_parsed_for` put it
    (None: unknown, or the state has changed since: another dbt wrote it)."""
    try:
        marker = json.loads((target / PARSED_FOR).read_text())
        if marker["state_mtime_ns"] == (target / "partial_parse.msgpack").stat().st_mtime_ns:
            return marker
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def write_parsed_for(target: Path, warehouse: Path, dbt: str) -> None:
    """Record that `dbt` (its executable's name) has just parsed the project's state for `warehouse`."""
    mtime = (target / "partial_parse.msgpack").stat().st_mtime_ns
    (target / PARSED_FOR).write_text(json.dumps({"warehouse": str(warehouse), "dbt": dbt, "state_mtime_ns": mtime}))


# --- client: the `lapak-dbt` script -------------------------------------------------------------------


def client() -> int:
    """Run one dbt command in the warm server, or in a dbt process of its own if there is none."""
    path, started, dbt_pid, pending = os.environ.get(ENV), b"", [], []

    def forward(signum: int, _frame: object) -> None:
        """SIGINT and SIGTERM go on to the dbt process (once it has started: until then, they wait)."""
        if not dbt_pid:
            pending.append(signum)
            return
        with contextlib.suppress(ProcessLookupError):  # dbt has just ended: its exit code is on its way
            os.kill(dbt_pid[0], signum)

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if path:
        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        try:
            sock.connect(path)
            request = json.dumps({"args": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
            socket.send_fds(sock, [request], [0, 1, 2])
            started = sock.recv(256)  # waits while the server is still importing dbt
        except OSError:
            started = b""
    if not started:  # no server, or it ended before starting the command: nothing ran yet
        sock.close()
        for signum in pending:  # what a signal would have done to dbt before it started: end it
            os._exit(128 + signum)
        os.execv(sys.executable, [*cold_dbt(), *sys.argv[1:]])  # execv restores the default signal handlers
    dbt_pid.append(json.loads(started)["pid"])
    for signum in pending:
        forward(signum, None)
    reply = sock.recv(256)  # dbt's exit code, when it ends (a forwarded signal does not interrupt this)
    if not reply:
        print(f"lapak-dbt: the dbt process {dbt_pid[0]} ended without an exit code (killed?)", file=sys.stderr)
        return 1
    return int(json.loads(reply)["exit"])


# --- server -------------------------------------------------------------------------------------------


def serve(path: str) -> None:
    """Listen on `path`, import dbt, then fork a child per command until stdin closes (lapak has ended)."""
    import gc
    import selectors

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(8)  # clients may connect now: they wait for the import below
    import dbt.adapters.duckdb  # dbt imports its adapter in every command: import it once, here
    import dbt.cli.main  # noqa: F401

    folder_blind_state_check()

    if os.environ.get(PARSE_ENV) != OFF and native_threads() == 1:
        warm_up(DBT_PROJECT_DIR)
    # A fork copies only the thread that forks: a lock another thread holds stays locked in the child for
    # good. dbt's static parser (dbt-extractor, Rust) starts a pool of two threads on first use, and a
    # command forked after it hung in that parser (a warm-up that had parsed in full; now it does not use
    # it). So the server forks only while it is its one thread: otherwise each command runs in a fresh dbt.
    forkable = native_threads() in (1, None)
    if not forkable:
        print(f"lapak-dbt: the warm dbt has {native_threads()} threads: every command runs cold", file=sys.stderr)
    gc.freeze()  # the children share these pages: no collection in a child should touch (and copy) them
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    return
                continue
            conn, _ = listener.accept()
            if not forkable:  # the client hears nothing and runs dbt cold itself
                conn.close()
                continue
            if os.fork() == 0:
                selector.close()
                listener.close()
                os._exit(_child(conn))
            conn.close()


def native_threads() -> int | None:
    """This process's threads, native ones included (Linux's /proc); None where that cannot be told."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return None


# What the server's warm-up parsed: the manifest, and the project, profiles folder and warehouse file name it was
# parsed for (`warm_up`); the commands forked after it that run in that project start from it (`warm_manifest`).
WARM: dict = {}
# The commands that take the warm manifest, and the options that would make a parse of theirs differ from it.
MANIFEST_COMMANDS = {"build", "run", "test"}
PARSE_OPTIONS = {"--vars", "--target", "-t", "--profile"}
PARSE_ENV_FLAGS = {"DBT_VARS", "DBT_TARGET", "DBT_PROFILE"}


def warm_up(project_dir: Path) -> bool:
    """One `dbt parse` of `project_dir` in this process, so that the commands forked from it start warm.

    Without dbt's static parser, which would leave threads behind (see `serve`). It parses into a folder
    of its own, from a copy of the project's partial-parse state when there is one
    (~2 s instead of a full parse's ~6 s: the profile is rendered with the warehouse that state was parsed
    for, which dbt only names and never opens here), and writes nothing else; dbt closes the adapter it
    registered. A failure only means cold commands: it is not reported (each command reports its own)."""
    import shutil
    import tempfile

    from dbt.cli.main import dbtRunner

    target = project_dir / "target"
    if marker := read_parsed_for(target):
        os.environ["LAPAK_WAREHOUSE"] = marker["warehouse"]
    with tempfile.TemporaryDirectory(prefix="lapak-dbt-warm-") as folder:
        with contextlib.suppress(OSError):
            shutil.copy(target / "partial_parse.msgpack", folder)
        args = ["parse", "--quiet", "--no-static-parser", "--project-dir", str(project_dir)]
        args += ["--profiles-dir", str(project_dir)]
        try:
            result = dbtRunner().invoke([*args, "--target-path", folder, "--log-path", folder])
        except Exception:  # warming is an optimisation: the commands run either way
            return False
    if result.success and result.result is not None:
        WARM.update(
            manifest=result.result,
            project=project_dir.resolve(),
            warehouse=Path(os.environ.get(WAREHOUSE_ENV, WAREHOUSE_FILE)).name,
        )
    return result.success


def warm_manifest(args: list[str], cwd: str, env: dict[str, str]):
    """The warm-up's manifest, if the command `args` (run in `cwd` with `env`) would parse that same manifest;
    else None, and the command parses as it always did (partially, from the project's state).

    dbt re-checks every file of the project at the start of each command (reads its partial-parse state,
    hashes the files, ~0.3 s for lapak's project), and a `lapak run` runs two or three. Within one run the
    project's files do not change, so a `build`, `run` or `test` of the project the server parsed, with its
    profiles, target and warehouse file name and no `--vars`, parses to the manifest the warm-up already has.
    The project's own files read no environment variable at parse time (the rebuild windows are read when
    the models run: macros/windows.sql); a manifest that recorded one (`env_vars`) is used only if it is set
    alike. Each command runs in a fork: what dbt changes in the manifest stays in that command."""
    manifest = WARM.get("manifest")
    command = next((a for a in args if not a.startswith("-")), None)
    if manifest is None or command not in MANIFEST_COMMANDS:
        return None
    if any(a.split("=")[0] in PARSE_OPTIONS for a in args) or PARSE_ENV_FLAGS & set(env):
        return None
    project = Path(cwd, _option(args, env, "--project-dir", "DBT_PROJECT_DIR") or ".").resolve()
    profiles = Path(cwd, _option(args, env, "--profiles-dir", "DBT_PROFILES_DIR") or ".").resolve()
    if project != WARM["project"] or profiles != WARM["project"]:  # the warm-up's profiles are the project's
        return None
    if Path(env.get(WAREHOUSE_ENV, WAREHOUSE_FILE)).name != WARM["warehouse"]:
        return None
    if any(env.get(name) != value for name, value in manifest.env_vars.items()):
        return None
    return manifest


def _option(args: list[str], env: dict[str, str], option: str, env_name: str) -> str | None:
    """The value of `option` in `args` (`--option VALUE` or `--option=VALUE`), else of `env_name` in `env`."""
    for i, arg in enumerate(args):
        if arg == option and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return env.get(env_name)


def _child(conn: socket.socket) -> int:
    """In the forked child: become the client's dbt process, run the command, report its exit code."""
    import atexit

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    message, fds, _, _ = socket.recv_fds(conn, MAX_REQUEST, 3)
    request = json.loads(message)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["dbt", *request["args"]]
    conn.sendall(json.dumps({"pid": os.getpid()}).encode())
    code = run_dbt(warm_manifest(request["args"], request["cwd"], request["env"]))
    for tidy in (atexit._run_exitfuncs, sys.stdout.flush, sys.stderr.flush):  # what a normal exit runs
        with contextlib.suppress(Exception):  # a reader that has gone, a closed stream: the exit code counts
            tidy()
    with contextlib.suppress(OSError):  # the client has gone (killed): nobody to tell
        conn.sendall(json.dumps({"exit": code}).encode())
    return code


def run_dbt(manifest=None) -> int:
    """What the `dbt` script does: dbt's click command on sys.argv, its exit as a number. With `manifest`, dbt
    takes it instead of parsing (as `dbtRunner(manifest=...)` does), and the rest is the script's."""
    from dbt.cli.main import cli

    try:
        cli(prog_name="dbt", obj=None if manifest is None else {"manifest": manifest})
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        return 130
    return 0


# --- the server's lifetime, in lapak ----------------------------------------------------------------


class WarmDbt:
    """A warm dbt server for the duration of a `with` block; `lapak-dbt` finds it through `LAPAK_WARM_DBT`.

    The server ends when the block ends, or with lapak: it reads its stdin, a pipe from this process."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self.path: str | None = None
        self._process: subprocess.Popen | None = None
        self._before: str | None = None

    def __enter__(self) -> WarmDbt:
        import tempfile

        self._before = os.environ.get(ENV)
        if self._before == OFF:  # every command in a fresh dbt process, as without lapak-dbt
            return self
        self._folder = Path(tempfile.mkdtemp(prefix="lapak-dbt-"))
        self.path = str(self._folder / "dbt.sock")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "orchestration.warm_dbt", self.path],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        os.environ[ENV] = self.path
        return self

    def __exit__(self, *exc: object) -> None:
        import shutil

        os.environ.pop(ENV, None)
        if self._before is not None:
            os.environ[ENV] = self._before
        if self._process is not None:  # the dbt commands it forked are over, and do not depend on it
            # Closing its stdin ends the server as a normal exit, which unlinks the semaphores dbt made in it: a
            # kill left them to multiprocessing's resource tracker, which warned of them on lapak's stderr.
            self._process.stdin.close()  # ty: ignore[possibly-missing-attribute]
            try:
                self._process.wait(timeout=EXIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:  # still importing dbt, or stuck: it holds nothing worth waiting for
                self._process.kill()
                self._process.wait()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


def main() -> None:
    """`python -m orchestration.warm_dbt SOCKET`: the server; `... --dbt ARGS`: one dbt command, cold."""
    if sys.argv[1:2] == ["--dbt"]:
        sys.argv = ["dbt", *sys.argv[2:]]
        import dbt.cli.main  # noqa: F401

        folder_blind_state_check()
        sys.exit(run_dbt())
    serve(sys.argv[1])


if __name__ == "__main__":
    main()
