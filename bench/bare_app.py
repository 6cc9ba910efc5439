"""The limit: the least a Flask page can cost on this machine and this database.

Flask and SQLAlchemy Core only, no extension: ONE query (a question row by id, from the same
database the forum uses) and ONE Jinja template rendering it. bench/run.py serves it with the
same gunicorn settings as the forum and divides each forum page's req/s by this one's.

Settings come from the environment:
  BENCH_DATABASE_URL  the forum's database URL (sqlite:///... or postgresql+psycopg://...)
  BENCH_QUESTION_ID   the question shown by /questions/<id> (the only other route is /healthz)
"""
from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, abort, render_template
from jinja2 import DictLoader

TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ q.title }}</title></head>
<body>
<main>
  <h1>{{ q.title }}</h1>
  <p><small>Asked {{ q.created_at }} · {{ q.answer_count }} answer(s)</small></p>
  <div>{{ q.body }}</div>
</main>
</body>
</html>
"""
QUERY = sa.text("SELECT id, title, body, created_at, answer_count FROM questions WHERE id = :id")


def create_app() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"question.html": TEMPLATE})
    engine = sa.create_engine(os.environ["BENCH_DATABASE_URL"])

    @app.get("/questions/<int:question_id>")
    def question(question_id: int):
        with engine.connect() as conn:
            row = conn.execute(QUERY, {"id": question_id}).first()
        if row is None:
            abort(404)
        return render_template("question.html", q=row)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app
