"""`forum check-deploy`: every unsafe production setting is named at once, with its fix."""
from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from forum.cli import cli
from forum.config import ROOT

GOOD = {
    "FORUM_ENV": "production",
    "FORUM_SECRET_KEY": "q7Vd2LxN0pRk9sTf4WbYc1HzJm8uEa6GiOl3XnKe5Ds_wQ-tPyUvZrBgCjFhM",
    "FORUM_REDIS_URL": "redis://127.0.0.1:6379/0",
    "FORUM_DATABASE_URL": "postgresql+psycopg://forum@127.0.0.1:5432/forum",
    "FORUM_SITE_URL": "https://forum.example.org",
    "FORUM_TRUSTED_HOSTS": '["forum.example.org"]',
    "FORUM_CONSULTATION_KEYS": "9vQ2m4Xb8kP0sR7tW1yZ3cF5hJ6nL8qD2gK4mS7uV0w=",
}


@pytest.fixture
def check(monkeypatch):
    """Run `forum check-deploy` with exactly the GOOD environment changed by `env` (None unsets)."""
    for name in list(os.environ):
        if name.startswith(("FORUM_", "FLASK_")):
            monkeypatch.delenv(name)

    def run(env: dict | None = None, base: dict | None = None):
        for name, value in {**(GOOD if base is None else base), **(env or {})}.items():
            if value is not None:
                monkeypatch.setenv(name, value)
        result = CliRunner().invoke(cli, ["check-deploy"])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result.exit_code, result.output, set(re.findall(r"deploy\.W\d{3}", result.output))
    return run


def template_value(name: str) -> str:
    text = (ROOT / "deploy" / "forum.env.example").read_text()
    return re.search(rf"^{name}=(.*)$", text, re.M).group(1)


def test_a_sound_production_configuration_has_no_problems(check):
    code, output, ids = check()
    assert code == 0 and ids == set()
    assert "no problems" in output


@pytest.mark.parametrize("env, problem", [
    ({"FORUM_ENV": "development", "FORUM_SESSION_COOKIE_SECURE": "true", "FORUM_REMEMBER_COOKIE_SECURE": "true",
      "FORUM_JOBS_BACKEND": "rq"}, "deploy.W001"),
    ({"FORUM_DEBUG": "true"}, "deploy.W002"),
    ({"FLASK_DEBUG": "1"}, "deploy.W002"),
    ({"FORUM_TESTING": "true"}, "deploy.W003"),
    ({"FORUM_SECRET_KEY": None}, "deploy.W010"),
    ({"FORUM_SECRET_KEY": "Zq81-aPx0Lm"}, "deploy.W011"),
    ({"FORUM_SECRET_KEY": "x" * 64}, "deploy.W012"),
    ({"FORUM_SECRET_KEY": "abcdefghij0123456789" * 3}, "deploy.W012"),
    ({"FORUM_SECRET_KEY": template_value("FORUM_SECRET_KEY")}, "deploy.W013"),
    ({"FORUM_REDIS_URL": None, "FORUM_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2"}, "deploy.W020"),
    ({"FORUM_RATELIMIT_STORAGE_URI": "memory://"}, "deploy.W021"),
    ({"FORUM_JOBS_BACKEND": "inline"}, "deploy.W022"),
    ({"FORUM_MAIL_SMTP_SECURITY": "ssl"}, "deploy.W023"),
    ({"FORUM_SESSION_COOKIE_SECURE": "false"}, "deploy.W030"),
    ({"FORUM_SESSION_COOKIE_HTTPONLY": "false"}, "deploy.W031"),
    ({"FORUM_SESSION_COOKIE_SAMESITE": "None"}, "deploy.W032"),
    ({"FORUM_REMEMBER_COOKIE_SECURE": "false"}, "deploy.W033"),
    ({"FORUM_REMEMBER_COOKIE_HTTPONLY": "false"}, "deploy.W034"),
    ({"FORUM_REMEMBER_COOKIE_SAMESITE": "null"}, "deploy.W035"),
    ({"FORUM_WTF_CSRF_ENABLED": "false"}, "deploy.W036"),
    ({"FORUM_DATABASE_URL": "sqlite:////var/lib/forum/forum.sqlite3"}, "deploy.W040"),
    ({"FORUM_MAX_CONTENT_LENGTH": "null"}, "deploy.W060"),
    ({"FORUM_SITE_URL": ""}, "deploy.W070"),
    ({"FORUM_SITE_URL": "http://forum.example.org"}, "deploy.W071"),
    ({"FORUM_CONSULTATION_KEYS": None}, "deploy.W080"),
    ({"FORUM_CONSULTATION_KEYS": template_value("FORUM_CONSULTATION_KEYS")}, "deploy.W081"),
])
def test_each_unsafe_setting_is_named_and_fails_the_check(check, env, problem):
    code, output, ids = check(env)
    assert code == 1
    assert ids == {problem}
    assert "1 problem(s) found" in output


def test_a_default_production_configuration_reports_every_problem_without_crashing(check):
    code, output, ids = check(base={})
    assert code == 1
    # The app itself refuses to start on the first of these; the check names them all.
    assert {"deploy.W010", "deploy.W020", "deploy.W021", "deploy.W040", "deploy.W071", "deploy.W080"} <= ids
    assert "Traceback" not in output and "FORUM_SECRET_KEY is not set" in output


def test_every_problem_says_how_to_fix_it(check):
    _code, output, _ids = check({"FORUM_SECRET_KEY": "short", "FORUM_SITE_URL": "http://x", "FORUM_DEBUG": "true"})
    lines = [line for line in output.splitlines() if line.startswith("deploy.")]
    assert len(lines) == 3
    assert all(re.search(r"\b(Set|Unset|Generate|set it)\b", line) for line in lines)


def test_no_trusted_hosts_is_named(check):
    """Production takes the trusted host from SITE_URL: only with neither is any Host accepted."""
    code, output, ids = check({"FORUM_TRUSTED_HOSTS": "[]", "FORUM_SITE_URL": ""})
    assert code == 1
    assert ids == {"deploy.W050", "deploy.W070"}
    assert "TRUSTED_HOSTS is empty" in output
