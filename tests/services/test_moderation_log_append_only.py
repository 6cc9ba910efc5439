"""The moderation log is append-only in the database itself: raw SQL cannot change or remove a
row (triggers on SQLite and PostgreSQL), the ORM guard still refuses too, and deleting the account
of a moderator who appears in the log still works, leaving the entry with no actor."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from forum.extensions import db
from forum.models import ModerationLog
from forum.services.moderation import log_action
from tests.conftest import IS_POSTGRES
from tests.factories import make_moderator, make_user


@pytest.fixture
def moderator():
    return make_moderator(display_name="Mo Derator")


@pytest.fixture
def entry(moderator):
    member = make_user(display_name="Sam Spammer")
    row = log_action(moderator, "user.suspend", "user", member.id, "Posted the same advert ten times",
                     member.display_name)
    db.session.commit()
    return row


def row_of(entry_id: int) -> tuple:
    db.session.expire_all()
    return db.session.execute(text("SELECT actor_id, action, target_type, target_id, target_label, reason "
                                   "FROM moderation_log WHERE id = :id"), {"id": entry_id}).one()


def refused(statement: str, params: dict) -> str:
    """Run raw SQL that must be refused; the error's text, after the transaction is rolled back."""
    with pytest.raises(DatabaseError) as caught:
        db.session.execute(text(statement), params)
        db.session.commit()
    db.session.rollback()
    return str(caught.value)


@pytest.mark.parametrize("statement", [
    "UPDATE moderation_log SET reason = 'Nothing happened' WHERE id = :id",
    "UPDATE moderation_log SET action = 'user.restore', target_label = '' WHERE id = :id",
    "UPDATE moderation_log SET created_at = created_at WHERE id = :id",  # even a no-op write
    "DELETE FROM moderation_log WHERE id = :id",
    "DELETE FROM moderation_log",
])
def test_raw_sql_cannot_change_or_remove_a_log_entry(entry, statement):
    before = row_of(entry.id)
    message = refused(statement, {"id": entry.id})
    assert "append-only" in message
    assert row_of(entry.id) == before


def test_raw_sql_cannot_blank_the_actor_while_their_account_exists(entry, moderator):
    """Only the database's own ON DELETE SET NULL may clear the actor: the account must be gone."""
    refused("UPDATE moderation_log SET actor_id = NULL WHERE id = :id", {"id": entry.id})
    assert row_of(entry.id)[0] == moderator.id


def _delete_without_set_null(user_id: int) -> None:
    """Delete an account with the foreign key out of the way, so its entries still name it and the
    trigger alone judges the next UPDATE (rolled back with the test's transaction on PostgreSQL)."""
    if IS_POSTGRES:
        db.session.execute(text("ALTER TABLE moderation_log DROP CONSTRAINT fk_moderation_log_actor_id_users"))
    else:
        db.session.commit()
        db.session.connection().exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction
    db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": user_id})


def test_clearing_a_deleted_actor_may_not_change_anything_else(entry, moderator):
    _delete_without_set_null(moderator.id)
    assert "append-only" in refused("UPDATE moderation_log SET actor_id = NULL, reason = 'Rewritten' WHERE id = :id",
                                    {"id": entry.id})
    assert row_of(entry.id)[5] == "Posted the same advert ten times"


def test_clearing_a_deleted_actor_alone_is_what_the_trigger_lets_through(entry, moderator):
    _delete_without_set_null(moderator.id)
    db.session.execute(text("UPDATE moderation_log SET actor_id = NULL WHERE id = :id"), {"id": entry.id})
    assert row_of(entry.id)[0] is None
    db.session.rollback()


def test_the_orm_guard_still_refuses_before_the_database_is_asked(entry):
    entry.reason = "Rewritten"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(ModerationLog, entry.id))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert row_of(entry.id)[5] == "Posted the same advert ten times"


def test_deleting_a_moderators_account_keeps_their_entries_without_a_name(entry, moderator):
    before = row_of(entry.id)
    moderator_id = moderator.id
    db.session.delete(moderator)
    db.session.commit()
    after = row_of(entry.id)
    assert after[0] is None and after[1:] == before[1:]
    assert db.session.execute(text("SELECT count(*) FROM users WHERE id = :id"), {"id": moderator_id}).scalar() == 0


def test_deleting_the_account_with_raw_sql_works_too(entry, moderator):
    log_action(moderator, "user.ban", "user", 12345, "Second entry by the same moderator")
    db.session.commit()
    db.session.execute(text("DELETE FROM users WHERE id = :id"), {"id": moderator.id})
    db.session.commit()
    db.session.expire_all()
    actors = db.session.scalars(select(ModerationLog.actor_id)).all()
    assert actors == [None, None]


def test_new_entries_can_still_be_added(entry, moderator):
    log_action(moderator, "user.restore", "user", entry.target_id, "Appealed successfully")
    db.session.commit()
    assert db.session.scalar(select(ModerationLog.action).order_by(ModerationLog.id.desc()).limit(1)) == "user.restore"


@pytest.mark.skipif(not IS_POSTGRES, reason="TRUNCATE is PostgreSQL's (SQLite has only DELETE)")
def test_truncate_is_refused_on_postgresql(entry):
    assert "append-only" in refused("TRUNCATE moderation_log CASCADE", {})
    assert row_of(entry.id)[1] == "user.suspend"
