"""Reading seed files: TOML tables and front matter validated by a schema, with errors that
name the file, the line and the field (shared by services/seed.py and services/seed_reviews.py)."""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

from marshmallow import Schema, ValidationError

FRONT_MATTER = re.compile(r"\A\+\+\+\s*\n(.*?)\n\+\+\+\s*\n(.*)\Z", re.S)


class SeedError(Exception):
    """A seed file is malformed; the message names the file, the line and the problem."""


def checksum(data: dict) -> str:
    """What a seeded record keeps to know, on the next run, whether its file changed."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def read_toml(path: Path, text: str | None = None) -> dict:
    try:
        return tomllib.loads(text if text is not None else path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise SeedError(f"{path}: TOML syntax error: {err}") from None


def line_of(text: str, header: str, index: int, key: str | None, offset: int = 0) -> int:
    """Best-effort line number of `key` inside the index-th `[[header]]` table (1-based)."""
    lines = text.splitlines()
    seen, start = -1, 0
    for number, line in enumerate(lines):
        if line.strip() == f"[[{header}]]":
            seen += 1
            if seen == index:
                start = number
                break
    if key:
        for number in range(start, len(lines)):
            if number > start and lines[number].strip().startswith("[[") and \
                    not lines[number].strip().startswith(f"[[{header}."):
                break
            if re.match(rf"\s*{re.escape(key)}\s*=", lines[number]):
                return number + 1 + offset
    return start + 1 + offset


def validate_record(schema: Schema, record: dict, *, path: Path, text: str, header: str, index: int,
                    offset: int = 0) -> dict:
    try:
        return schema.load(record)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        key, problems = next(iter(messages.items()))
        line = line_of(text, header, index, None if key == "_schema" else key, offset)
        raise SeedError(f"{path}:{line}: {key}: {problems}") from None


def read_records(path: Path, header: str) -> tuple[list[dict], str]:
    text = path.read_text(encoding="utf-8")
    data = read_toml(path, text)
    unknown = set(data) - {header}
    if unknown:
        raise SeedError(f"{path}: unexpected top-level key(s) {sorted(unknown)}; expected [[{header}]] tables")
    return data.get(header, []), text


def read_front_matter(path: Path, schema: Schema) -> tuple[dict, dict]:
    """A Markdown file with TOML front matter (reference posts, trust pages), validated by `schema`."""
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    if not match:
        raise SeedError(f"{path}:1: the file must start with TOML front matter between two '+++' lines")
    front = read_toml(path, match.group(1))
    record = {**front, "body": match.group(2).strip()}
    if record.get("slug") != path.stem:
        raise SeedError(f"{path}:{line_of(match.group(1), '', -1, 'slug', 1)}: slug: must equal the file name "
                        f"({path.stem!r})")
    try:
        return record, schema.load(record)
    except ValidationError as err:
        key, problems = next(iter(err.messages.items()))
        line = line_of(match.group(1), "", -1, key, 1) if key != "body" else match.group(1).count("\n") + 3
        raise SeedError(f"{path}:{line}: {key}: {problems}") from None
