"""What operators see: request ids, the JSON request log, /metrics, health checks, hashed assets."""
from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

from forum import clock
from forum.extensions import db
from forum.models import OutboxMail
from forum.observability import JsonFormatter
from forum.web import assets
from tests.conftest import make_app
from tests.factories import make_user

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def sample(body: str, name: str, **labels) -> float:
    """One sample's value from Prometheus text; 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{re.escape(name)}{{{re.escape(wanted)}}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    match = re.search(pattern, body, re.M)
    return float(match.group(1)) if match else 0.0


# ---- request ids ----

def test_every_response_carries_a_request_id_and_keeps_the_proxys(client):
    made = client.get("/").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made) and client.get("/").headers["X-Request-ID"] != made
    assert client.get("/", headers={"X-Request-ID": "nginx-0123456789ab"}).headers["X-Request-ID"] == \
        "nginx-0123456789ab"
    forged = client.get("/", headers={"X-Request-ID": "<script>x</script>"}).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)  # a header that is not an id is replaced


def test_error_pages_and_api_errors_show_the_request_id(client):
    page = client.get("/no-such-page", headers={"X-Request-ID": "trace-html-000001"})
    assert page.status_code == 404 and "trace-html-000001" in page.get_data(as_text=True)
    api = client.get("/api/v1/questions/999999", headers={"X-Request-ID": "trace-api-0000001"})
    assert api.status_code == 404 and api.get_json()["error"]["request_id"] == "trace-api-0000001"


# ---- one JSON line per request ----

def test_each_request_logs_one_json_line_with_id_user_endpoint_status_and_duration(client, login, caplog):
    user = make_user()
    login(user)
    with caplog.at_level(logging.INFO, "forum.request"):
        caplog.clear()  # only this block's requests (not the log-in's)
        client.get("/account", headers={"X-Request-ID": "trace-log-0000001"})
        client.get("/no-such-page")
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "forum.request"]
    assert len(lines) == 2
    first, second = lines
    assert first["request_id"] == "trace-log-0000001" and first["user_id"] == user.id
    assert first["endpoint"] == "account.settings" and first["status"] == 200 and first["method"] == "GET"
    assert first["duration_ms"] >= 0 and first["path"] == "/account" and first["level"] == "INFO"
    assert second["endpoint"] == "unmatched" and second["status"] == 404 and second["user_id"] == user.id


def test_the_request_log_never_holds_query_strings(client, caplog):
    with caplog.at_level(logging.INFO, "forum.request"):
        caplog.clear()
        client.get("/search?q=private+words")
    (record,) = [r for r in caplog.records if r.name == "forum.request"]
    assert "private" not in JsonFormatter().format(record)


# ---- /metrics ----

def test_metrics_count_requests_per_endpoint_and_show_the_outbox(client):
    before = client.get("/metrics").get_data(as_text=True)
    for _ in range(3):
        client.get("/")
    db.session.add(OutboxMail(to_address="a@example.org", subject="s", body_text="b",
                              next_attempt_at=clock.now() + timedelta(hours=1)))  # waiting for its retry
    db.session.commit()
    body = client.get("/metrics").get_data(as_text=True)
    count = "forum_request_duration_seconds_count"
    assert sample(body, count, endpoint="main.index", method="GET") == \
        sample(before, count, endpoint="main.index", method="GET") + 3
    assert sample(body, "forum_responses_total", endpoint="main.index", status="2xx") >= 3
    assert 'forum_request_duration_seconds_bucket{endpoint="main.index",le="0.1",method="GET"}' in body
    assert sample(body, "forum_outbox_pending") == 1 and sample(body, "forum_outbox_oldest_age_seconds") >= 0
    assert "forum_jobs_queued" in body and "forum_jobs_failed" in body and "forum_db_pool_checked_out" in body


def test_metrics_are_only_for_configured_addresses_or_the_token(app, client):
    assert client.get("/metrics").status_code == 200  # 127.0.0.1 is allowed by default
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 404
    app.config["METRICS_TOKEN"] = "s3cret-token-for-prometheus"
    assert client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer wrong"}).status_code == 404
    response = client.get("/metrics", environ_base=OUTSIDE,
                          headers={"Authorization": "Bearer s3cret-token-for-prometheus"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    app.config["METRICS_ALLOW"] = "203.0.113.0/24"
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200


# ---- health ----

def test_readiness_fails_while_redis_is_unreachable_but_the_process_is_alive():
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")
    with app.app_context():
        db.create_all() if app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://" else None
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        assert client.get("/login").status_code == 200  # rate limits fall back to this process meanwhile
        response = client.get("/readyz")
        assert response.status_code == 503 and response.get_json()["redis"] is False
        db.session.remove()
        db.engine.dispose()


# ---- hashed static names ----

def test_pages_link_assets_by_content_hash_and_that_name_is_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    (css,) = re.findall(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', html)
    with client.get(css) as response:
        assert response.status_code == 200 and response.mimetype == "text/css" and b"{" in response.data
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/css/site.000000000000.css") as stale:  # an old release's name: kept briefly
        assert stale.status_code == 200 and "immutable" not in stale.headers["Cache-Control"]
    assert client.get("/static/css/missing.0123456789ab.css").status_code == 404


def test_a_changed_file_gets_a_new_name(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { color: black }")
    before = assets._manifest(tmp_path)["css/site.css"]
    (tmp_path / "css" / "site.css").write_text("body { color: navy }")
    after = assets._manifest(tmp_path)["css/site.css"]
    assert before != after and re.fullmatch(r"css/site\.[0-9a-f]{12}\.css", after)
