"""Static assets under content-hashed names: `css/site.css` is linked as `css/site.<12 hex>.css`,
so a proxy (deploy/nginx) or browser may keep it for a year and a release that changes the file
changes its name. The app serves the same names itself (development, or without nginx)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask, current_app, send_from_directory
from werkzeug.exceptions import NotFound

HASHED = re.compile(r"(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)")
YEAR = 365 * 24 * 3600
SHORT = 3600  # an unhashed name, or an old hash: a release may change it at any time


def init_assets(app: Flask) -> None:
    app.extensions["forum_assets"] = _manifest(Path(app.static_folder))
    app.url_defaults(_hashed_name)
    app.view_functions["static"] = serve_static


def _manifest(folder: Path) -> dict[str, str]:
    """file name -> hashed file name, for every file under static/."""
    names = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        stem, dot, ext = name.rpartition(".")
        names[name] = f"{stem}.{digest}.{ext}" if dot and "/" not in ext else f"{name}.{digest}"
    return names


def _current_names() -> dict[str, str]:
    if current_app.debug or current_app.config["ENV_NAME"] == "development":  # edited files show at once
        return _manifest(Path(current_app.static_folder))
    return current_app.extensions["forum_assets"]


def _hashed_name(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = _current_names().get(values["filename"], values["filename"])


def serve_static(filename: str):
    names = _current_names()
    match = HASHED.fullmatch(filename)
    original = f"{match['stem']}{match['ext']}" if match else filename
    if match and original not in names and f"{match['stem']}" in names:  # a file without extension
        original = match["stem"]
    if original not in names:
        raise NotFound()
    current = names[original] == filename
    response = send_from_directory(current_app.static_folder, original, max_age=YEAR if current else SHORT)
    if current:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response
