"""Arrows point down: imports between layers, read with `ast` (STYLE.md house rule 2)."""
import ast
from pathlib import Path

import pytest

import forum

PACKAGE = Path(forum.__file__).parent

# layer folder -> dotted names it must not import (a name also covers everything below it)
FORBIDDEN = {
    "services": ("flask.request", "flask_login.current_user", "forum.web", "forum.api"),
    "models": ("forum.services", "forum.web", "forum.api"),
    "web": ("forum.api",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every dotted name the module imports, relative imports resolved, plus attribute uses of
    imported modules (`import flask` ... `flask.request`)."""
    tree = ast.parse(source)
    names: set[str] = set()
    aliases: dict[str, str] = {}
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.add(alias.name)
                aliases[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            for alias in node.names:
                names.add(f"{base}.{alias.name}")
                aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            names.add(f"{aliases[node.value.id]}.{node.attr}")
    return names


def violations(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names for f in forbidden if n == f or n.startswith(f + "."))


def layer_files(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_down(layer):
    files = layer_files(layer)
    assert files, f"forum/{layer} has no modules"
    problems = {}
    for path in files:
        names = imported_names(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
        bad = violations(names, FORBIDDEN[layer])
        if bad:
            problems[str(path.relative_to(PACKAGE.parent))] = bad
    assert not problems, f"imports against the layering: {problems}"


@pytest.mark.parametrize(("source", "module", "expected"), [
    ("from flask import request", "forum.services.qa", ["flask.request"]),
    ("from flask import current_app, request as req", "forum.services.qa", ["flask.request"]),
    ("import flask\ndef f():\n    return flask.request.path", "forum.services.qa", ["flask.request"]),
    ("from flask_login import current_user", "forum.services.qa", ["flask_login.current_user"]),
    ("def late():\n    from forum.web import forms", "forum.services.qa", ["forum.web", "forum.web.forms"]),
    ("from forum import api", "forum.services.qa", ["forum.api"]),
    ("import forum.api.auth", "forum.services.qa", ["forum.api.auth"]),
    ("from ..web.forms import load_form", "forum.services.qa", ["forum.web.forms", "forum.web.forms.load_form"]),
    ("from . import accounts", "forum.services.qa", []),
    ("from flask import current_app", "forum.services.qa", []),
    ("from forum.webhooks import x", "forum.services.qa", []),
])
def test_the_import_reader_catches_what_it_should(source, module, expected):
    assert violations(imported_names(source, module), FORBIDDEN["services"]) == expected


def test_relative_imports_in_a_package_init_resolve_from_the_package():
    assert "forum.api.auth" in imported_names("from .auth import api_guard", "forum.api", is_package=True)
