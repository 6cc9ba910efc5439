"""deploy/backup and deploy/restore, end to end, on the machine's PostgreSQL.

A fresh database `forum_bk_<random>` is migrated and given the demo content and a consultation
with photos (encrypted with a key made for the test, stored in a temporary PHOTO_DIR);
deploy/backup writes a backup of it; deploy/restore puts it into a second fresh database and an
empty photo directory. Then every table has the same number of rows, the restored database is
at the same Alembic revision, and the photos and the consultation's text decrypt through the
app's own code, with the same key, to the same bytes (and not with another key). A backup with
one byte changed is refused by its checksums before anything is touched; a non-empty database
or photo directory is refused without --force.

The server is FORUM_TEST_DATABASE_URL's when that is a postgresql URL, else 127.0.0.1:5432; every
database the test creates is dropped at the end. It runs on the SQLite suite run too; without a
server (or pg_dump) it skips, except in CI where it fails.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess  # nosec B404
import time
from pathlib import Path

import flask_migrate
import pytest
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from forum import create_app
from forum.config import ROOT
from forum.extensions import db

MIGRATIONS = str(ROOT / "migrations")
BACKUP = ROOT / "deploy" / "backup"
RESTORE = ROOT / "deploy" / "restore"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _unavailable(reason: str):
    if os.environ.get("CI") or os.environ.get("FORUM_REQUIRE_BROWSER"):
        pytest.fail(f"the backup test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


class Server:
    """The machine's PostgreSQL server: creates databases for the test and drops them after."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        self.created: list[str] = []

    def create_database(self) -> str:
        name = f"forum_bk_{secrets.token_hex(6)}"
        assert name != "test"
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.engine.dispose()


@pytest.fixture(scope="module")
def server():
    for tool in ("pg_dump", "pg_restore", "psql", "tar", "sha256sum"):
        if not shutil.which(tool):
            _unavailable(f"{tool} is not installed (Debian: postgresql-client)")
    url = os.environ.get("FORUM_TEST_DATABASE_URL", "")
    url = url if url.startswith("postgresql") else DEFAULT_SERVER
    one = Server(url)
    try:
        with one.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # noqa: BLE001 - any failure to connect means "no server"
        one.engine.dispose()
        _unavailable(f"no PostgreSQL at {make_url(url).render_as_string(hide_password=True)}: {type(e).__name__}")
    try:
        yield one
    finally:
        one.drop_all()


def _app(url: str, photo_dir: Path, key: str):
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "DATABASE_URL": None,
                       "MAIL_BACKEND": "memory", "PHOTO_DIR": str(photo_dir), "CONSULTATION_KEYS": key,
                       "REDIS_URL": None})


def _close(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _counts() -> dict[str, int]:
    """Rows in every table of the current app's database."""
    with db.engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()  # nosec B608 - names from the catalog
                for t in sorted(inspect(conn).get_table_names())}


def _revision() -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()


def _run(script: Path, *args: str, database: str, photo_dir: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORUM_", "PG"))}
    env.update({"FORUM_DATABASE_URL": database, "FORUM_PHOTO_DIR": str(photo_dir), "LC_ALL": "C.UTF-8"})
    started = time.monotonic()
    result = subprocess.run(["bash", str(script), *args], capture_output=True, text=True, env=env,  # nosec B603
                            timeout=120)
    result.seconds = time.monotonic() - started
    return result


@pytest.fixture(scope="module")
def source(server, tmp_path_factory):
    """A migrated database with the demo content and a consultation with two photos, and a backup of it."""
    from tests.factories import make_doctor, make_user
    from tests.services.test_consultations import image_bytes, make_request

    from forum.services import consultations, photos
    from forum.services.seed import load_seed

    root = tmp_path_factory.mktemp("backup")
    key = Fernet.generate_key().decode()
    url = server.create_database()
    app = _app(url, root / "photos-source", key)
    try:
        with app.app_context():
            flask_migrate.upgrade(directory=MIGRATIONS)
            load_seed(app.config["SEED_PATH"], demo=True)
            requester = make_user(display_name="Backup Requester")
            doctor = make_doctor(full_name="Dr. Backup")
            consultation = make_request(requester, doctor, photos_in=[(image_bytes("JPEG"), "a.jpg"),
                                                                      (image_bytes("PNG", color=(1, 2, 3)), "b.png")])
            facts = {
                "url": url, "key": key, "photo_dir": root / "photos-source", "root": root,
                "consultation_id": consultation.id, "requester_id": requester.id,
                "details": consultations.details_of(consultation),
                "photos": {p.id: (p.stored_name, photos.read(p.stored_name)) for p in consultation.photos},
                "counts": _counts(), "revision": _revision(),
            }
            db.session.remove()
    finally:
        _close(app)
    assert facts["counts"]["consultation_photos"] == 2 and facts["counts"]["answers"] > 0
    assert facts["revision"] == ScriptDirectory(MIGRATIONS).get_current_head()

    made = _run(BACKUP, str(root / "backups"), database=url, photo_dir=facts["photo_dir"])
    assert made.returncode == 0, made.stderr
    facts["backup"] = Path(made.stdout.strip().splitlines()[-1])
    facts["backup_seconds"] = made.seconds
    return facts


@pytest.fixture(scope="module")
def untouched(server):
    """An empty database that every refused restore tries, and must leave empty."""
    return server.create_database()


def test_backup_writes_a_checksummed_dump_photo_archive_and_manifest(source):
    backup = source["backup"]
    assert backup.parent == source["root"] / "backups" and backup.name.startswith("forum-")
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "database.dump", "manifest", "photos.tar"]
    assert not list(backup.parent.glob(".*.partial"))
    manifest = dict(line.split("=", 1) for line in (backup / "manifest").read_text().splitlines())
    assert manifest["alembic_revision"] == source["revision"]
    assert manifest["count.consultation_photos"] == "2"
    assert manifest["count.answers"] == str(source["counts"]["answers"])
    assert "not included" in manifest["keys"]
    assert (backup / "database.dump").read_bytes()[:5] == b"PGDMP"
    # The photos are archived as stored: encrypted, never the image bytes.
    archive = (backup / "photos.tar").read_bytes()
    for _stored_name, clear in source["photos"].values():
        assert clear[:64] not in archive
    assert oct(backup.stat().st_mode & 0o777) == "0o700"


def test_restore_gives_the_same_rows_revision_and_photos_with_the_same_key(server, source, tmp_path):
    from forum.services import consultations, photos
    from tests.factories import make_user

    from forum.models import User

    target = server.create_database()
    photo_dir = tmp_path / "photos-restored"
    restored = _run(RESTORE, str(source["backup"]), database=target, photo_dir=photo_dir)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "checksums verified" in restored.stdout
    print(f"\nbackup {source['backup_seconds']:.2f} s, restore {restored.seconds:.2f} s "
          f"({sum(source['counts'].values())} rows in {len(source['counts'])} tables, 2 photos)")

    app = _app(target, photo_dir, source["key"])
    try:
        with app.app_context():
            assert _counts() == source["counts"]
            assert _revision() == source["revision"]
            requester = db.session.get(User, source["requester_id"])
            consultation = consultations.get_consultation(requester, source["consultation_id"])
            assert consultations.details_of(consultation) == source["details"]
            for photo_id, (stored_name, clear) in source["photos"].items():
                data, _content_type = consultations.photo_file(requester, source["consultation_id"], photo_id)
                assert data == clear
                assert (photo_dir / stored_name).read_bytes() == (source["photo_dir"] / stored_name).read_bytes()
            # Sequences came back too: a new row does not collide with a restored one.
            highest = db.session.scalar(select(func.max(User.id)))
            assert make_user().id > highest
            db.session.remove()
    finally:
        _close(app)

    # Without the key (it is not in the backup) the photos are unreadable.
    other = _app(target, photo_dir, Fernet.generate_key().decode())
    try:
        with other.app_context():
            stored_name = next(iter(source["photos"].values()))[0]
            with pytest.raises(ValueError, match="cannot decrypt"):
                photos.read(stored_name)
    finally:
        _close(other)

    # The targets are no longer empty: a second restore is refused unless --force.
    again = _run(RESTORE, str(source["backup"]), database=target, photo_dir=photo_dir)
    assert again.returncode == 1 and "is not empty" in again.stderr and "--force" in again.stderr, again.stderr
    forced = _run(RESTORE, "--force", str(source["backup"]), database=target, photo_dir=photo_dir)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    app = _app(target, photo_dir, source["key"])
    try:
        with app.app_context():
            assert _counts() == source["counts"]
    finally:
        _close(app)


def test_a_non_empty_photo_directory_is_refused_before_the_database_is_touched(untouched, source, tmp_path):
    target = untouched
    photo_dir = tmp_path / "photos"
    photo_dir.mkdir()
    (photo_dir / "someone-elses-photo").write_bytes(b"x")
    refused = _run(RESTORE, str(source["backup"]), database=target, photo_dir=photo_dir)
    assert refused.returncode == 1 and "is not empty" in refused.stderr, refused.stderr
    app = _app(target, photo_dir, source["key"])
    try:
        with app.app_context():
            assert _counts() == {}
    finally:
        _close(app)


def test_a_backup_with_one_byte_changed_is_refused_by_its_checksums(untouched, source, tmp_path):
    for damaged_file in ("database.dump", "photos.tar"):
        damaged = tmp_path / f"damaged-{damaged_file}"
        shutil.copytree(source["backup"], damaged)
        path = damaged / damaged_file
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))

        target = untouched
        photo_dir = tmp_path / f"photos-{damaged_file}"
        refused = _run(RESTORE, str(damaged), database=target, photo_dir=photo_dir)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "checksum verification FAILED" in refused.stderr and damaged_file in refused.stderr, refused.stderr
        assert not photo_dir.exists()
        app = _app(target, photo_dir, source["key"])
        try:
            with app.app_context():
                assert _counts() == {}, "a refused restore must not touch the database"
        finally:
            _close(app)


def test_backup_and_restore_refuse_unclear_settings(server, source, tmp_path):
    no_url = _run(BACKUP, str(tmp_path), database="sqlite:///x.sqlite3", photo_dir=source["photo_dir"])
    assert no_url.returncode == 1 and "not a PostgreSQL URL" in no_url.stderr, no_url.stderr
    no_dir = _run(BACKUP, str(tmp_path), database=source["url"], photo_dir=tmp_path / "missing")
    assert no_dir.returncode == 1 and "is not a directory" in no_dir.stderr, no_dir.stderr
    incomplete = tmp_path / "incomplete"
    shutil.copytree(source["backup"], incomplete)
    (incomplete / "photos.tar").unlink()
    missing = _run(RESTORE, str(incomplete), database=source["url"], photo_dir=tmp_path / "p")
    assert missing.returncode == 1 and "photos.tar is missing" in missing.stderr, missing.stderr


def test_a_password_in_the_url_goes_to_libpq_out_of_the_command_line(source, tmp_path):
    """postgresql+psycopg://user:p%40ss@host/db: the driver suffix goes, the password is decoded
    into PGPASSWORD (the machine's trust authentication accepts any password)."""
    url = make_url(source["url"])
    if url.password:
        pytest.skip("the server's URL already has a password")
    with_password = url.set(password="p@ss:w/rd").render_as_string(hide_password=False)
    assert "p%40ss" in with_password
    made = _run(BACKUP, str(tmp_path / "backups"), database=with_password, photo_dir=source["photo_dir"])
    assert made.returncode == 0, made.stderr
    assert "p@ss" not in made.stdout + made.stderr and "p%40ss" not in made.stdout + made.stderr
