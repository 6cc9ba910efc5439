"""gunicorn settings for one forum web instance (systemd: forum-web@PORT; local: deploy/local-stack).

    gunicorn -c deploy/gunicorn.conf.py "forum:create_app()"

Environment:
  FORUM_BIND              address to listen on (default FORUM_BIND_HOST:FORUM_PORT, i.e. 127.0.0.1:8000)
  FORUM_BIND_HOST         host part when FORUM_BIND is unset (an app server behind a remote nginx:
                          its private address)
  FORUM_PORT              port part when FORUM_BIND is unset (forum-web@PORT sets it)
  FORUM_WEB_CONCURRENCY   worker processes (default 2 * cores + 1)
  FORUM_WEB_THREADS       threads per worker (default 1: sync workers; more switches to gthread,
                          whose connections nginx can keep alive)
  FORUM_METRICS_DIR       this instance's Prometheus multiprocess directory; emptied at start
                          (default <RUNTIME_DIRECTORY or tmp>/forum-metrics-<port>)
  FORUM_WORKER_TMP_DIR    where workers write their heartbeat files (a tmpfs is best; systemd's
                          RuntimeDirectory)

Reload with HUP (systemctl reload forum-web@PORT): the app is not preloaded, so new workers import
the new code while the old ones finish their requests.
"""
import os
import re
import shutil
import tempfile
from pathlib import Path


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:
        return os.cpu_count() or 1


bind = [os.environ.get("FORUM_BIND")
        or f"{os.environ.get('FORUM_BIND_HOST', '127.0.0.1')}:{os.environ.get('FORUM_PORT', '8000')}"]
workers = int(os.environ.get("FORUM_WEB_CONCURRENCY") or 2 * _cores() + 1)
threads = int(os.environ.get("FORUM_WEB_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = 30            # a worker silent for 30 s is killed and replaced (nginx waits 35 s)
graceful_timeout = 30   # on HUP/TERM, workers get 30 s to finish their requests
keepalive = 5           # gthread only; above nginx's upstream keepalive_timeout (4 s)
max_requests = 1000     # recycle workers now and then (slow leaks), not all at once
max_requests_jitter = 100
preload_app = False     # each worker imports the app: HUP then loads new code
forwarded_allow_ips = "127.0.0.1"  # gunicorn's own view of X-Forwarded-*; the app uses ProxyFix
accesslog = None        # the app writes one JSON line per request, with its request id
errorlog = "-"
loglevel = "info"
worker_tmp_dir = os.environ.get("FORUM_WORKER_TMP_DIR") or None
_port = re.sub(r"[^A-Za-z0-9]+", "-", bind[0].rsplit(":", 1)[-1]).strip("-") or "web"
proc_name = f"forum-web-{_port}"

# Prometheus multiprocess mode: every worker writes its metrics to files in one directory per
# instance, which /metrics aggregates. It must be in the environment before the app (and so
# prometheus_client) is imported in a worker, and be empty when the instance starts.
METRICS_DIR = Path(os.environ.get("FORUM_METRICS_DIR")
                   or Path(os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0] or tempfile.gettempdir())
                   / f"forum-metrics-{_port}")
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(METRICS_DIR)


def on_starting(server):
    """Master, once (not on HUP): start with an empty metrics directory."""
    if METRICS_DIR.exists():
        shutil.rmtree(METRICS_DIR)
    METRICS_DIR.mkdir(parents=True, mode=0o700)
    server.log.info("forum: %d workers x %d threads, metrics in %s", workers, threads, METRICS_DIR)


def child_exit(server, worker):
    """Master: a worker ended (crash, kill, max_requests, reload); drop its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
