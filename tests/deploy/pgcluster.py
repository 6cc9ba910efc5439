"""A private, throwaway PostgreSQL cluster for tests that must stop and start a server.

Never the machine's shared server: `initdb` in a fresh temporary directory, a free port found
at run time, listening on 127.0.0.1 only, its Unix socket inside that directory, fsync off,
trust authentication. As root, the server programs run as the `postgres` user (initdb and
postgres refuse root), and the directory is handed to that user.

    with PrivateCluster() as cluster:     # initdb + start; stopped and removed on exit
        cluster.create_database("forum")
        url = cluster.url("forum")        # postgresql+psycopg://postgres@127.0.0.1:PORT/forum
        cluster.stop()                    # pg_ctl stop -m fast
        cluster.start()
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess  # nosec B404 - runs PostgreSQL's own programs with fixed arguments
import tempfile
import time
from pathlib import Path


def postgres_bin_dir() -> Path | None:
    """The directory holding initdb/pg_ctl/postgres: FORUM_PG_BIN, else Debian's newest
    /usr/lib/postgresql/<version>/bin, else wherever `pg_ctl` is on PATH."""
    if os.environ.get("FORUM_PG_BIN"):
        return Path(os.environ["FORUM_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def missing_reason() -> str | None:
    """Why a private cluster cannot be started here, or None when it can."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        return "PostgreSQL server programs (initdb, pg_ctl) not found; install Debian's postgresql package"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no `postgres` user to run the server as"
        if not shutil.which("runuser"):
            return "running as root and `runuser` is missing"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateCluster:
    def __init__(self, port: int | None = None):
        self.bin_dir = postgres_bin_dir()
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="forum-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "server.log"
        self.running = False
        self._as_postgres = os.geteuid() == 0

    # ---- running PostgreSQL's programs ----
    def command(self, program: str, *args: str) -> list[str]:
        """The argument list that runs one of PostgreSQL's programs (as `postgres` when root)."""
        command = [str(self.bin_dir / program), *args]
        return ["runuser", "-u", "postgres", "--", *command] if self._as_postgres else command

    def _start_args(self) -> tuple[str, ...]:
        return ("-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def start_command(self) -> list[str]:
        """pg_ctl start, waiting until the server accepts connections (for tests that poll meanwhile)."""
        return self.command("pg_ctl", *self._start_args())

    def _run(self, program: str, *args: str, timeout: float = 60, check: bool = True):
        result = subprocess.run(self.command(program, *args),  # nosec B603 - fixed programs and arguments
                                capture_output=True, text=True, timeout=timeout,
                                cwd=self.root, env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
        if check and result.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed ({result.returncode}):\n"
                               f"{result.stdout}\n{result.stderr}\n{self.server_log()}")
        return result

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    # ---- life cycle ----
    def init(self) -> PrivateCluster:
        self.socket_dir.mkdir()
        if self._as_postgres:
            entry = pwd.getpwnam("postgres")
            for path in (self.root, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C.UTF-8")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# private test cluster\n"
                       "listen_addresses = '127.0.0.1'\n"
                       f"port = {self.port}\n"
                       f"unix_socket_directories = '{self.socket_dir}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                       "max_connections = 30\nshared_buffers = 16MB\n")
        return self

    def start(self) -> float:
        """Start the server and wait until it accepts connections; returns the seconds it took."""
        started = time.monotonic()
        self._run("pg_ctl", *self._start_args(), timeout=90)
        self.running = True
        return time.monotonic() - started

    def stop(self, mode: str = "fast") -> float:
        started = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", timeout=90)
        self.running = False
        return time.monotonic() - started

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    @contextlib.contextmanager
    def frozen(self):
        """The server hangs: SIGSTOP the postmaster (the kernel still completes TCP handshakes,
        so clients connect and then wait for an answer that never comes); SIGCONT on exit."""
        pid = self.postmaster_pid()
        os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(pid, signal.SIGCONT)

    def destroy(self) -> None:
        """Stop (immediately, if still running) and remove every file; safe to call twice."""
        try:
            if self.data.exists() and (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop",
                          timeout=60, check=False)
        finally:
            self.running = False
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PrivateCluster:
        try:
            self.init()
            self.start()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    # ---- databases ----
    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
