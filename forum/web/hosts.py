"""Which Host the site answers to, and absolute URLs built from SITE_URL, never from the request.

Canonical links, JSON-LD, feeds and the sitemap name the site by SITE_URL, so a request sent with
a forged Host header cannot make a page (or a cached copy of it) point elsewhere. Production
also sets Flask's TRUSTED_HOSTS (SITE_URL's host unless FORUM_TRUSTED_HOSTS lists others) and
answers 400 to any other Host, except on the health probes and /metrics, which load balancers,
systemd and Prometheus call by an instance's own address."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request, url_for
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter
from werkzeug.wrappers import Request

PROBES = {"main.healthz", "main.readyz", "metrics"}


def absolute_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` on the site, from SITE_URL (e.g. https://forum.example.org)."""
    return current_app.config["SITE_URL"].rstrip("/") + url_for(endpoint, **values)


def trusted_hosts(config) -> list[str] | None:
    """TRUSTED_HOSTS as a list: given (a list, or comma-separated in FORUM_TRUSTED_HOSTS), or in
    production SITE_URL's host name. None elsewhere: development and tests answer any Host."""
    value = config.get("TRUSTED_HOSTS")
    if isinstance(value, str):
        value = [host.strip() for host in value.split(",") if host.strip()]
    if not value:
        value = [urlsplit(config.get("SITE_URL") or "").hostname] if config["ENV_NAME"] == "production" else None
    value = [host for host in value or () if host]
    return value or None


class ForumFlask(Flask):
    """Flask, but a Host outside TRUSTED_HOSTS still gets a URL adapter: Flask alone leaves none,
    and the 400 page (which builds links) then failed with a 500. The request is marked and
    refused by `refuse_untrusted_host`, unless it is a probe."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        try:
            return super().create_url_adapter(request)
        except SecurityError:
            if request is None:
                raise
            request.untrusted_host = True
            request.trusted_hosts = None  # request.host now reads the Host as sent, for the logs
            return self.url_map.bind_to_environ(request.environ, server_name=self.config["SERVER_NAME"],
                                                subdomain=self.url_map.default_subdomain or "")


def refuse_untrusted_host() -> None:
    """400 for a Host outside TRUSTED_HOSTS, before anything else runs; probes answer any Host."""
    if getattr(request, "untrusted_host", False) and request.endpoint not in PROBES:
        abort(400)


def init_hosts(app: Flask) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_untrusted_host)
    app.jinja_env.globals["absolute_url"] = absolute_url
