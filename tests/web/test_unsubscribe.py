"""One-click unsubscribe (RFC 8058) from notification mail: no log-in, no CSRF token on the
one-click POST, nothing that reveals an account, and a way back."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from forum import mail
from forum.extensions import db
from forum.models import MailOptOut, Notification
from forum.services import notifications
from tests.factories import make_user
from tests.web.html import flashes, without_csrf_token


def mail_unsubscribe_path(user, kind="answer_posted") -> str:
    """The List-Unsubscribe address of a real notification mail, as a path."""
    mail.SENT.clear()
    notifications.notify(user, kind, "Dr Lee answered: Is filler safe?", link="/questions/1")
    db.session.commit()
    (message,) = mail.SENT
    mail.SENT.clear()
    return urlsplit(message["List-Unsubscribe"].strip("<>")).path


def opt_outs() -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(o.user_id, o.kind) for o in db.session.scalars(select(MailOptOut))]


def test_the_link_shows_a_page_that_asks_and_changes_nothing(client):
    user = make_user()
    path = mail_unsubscribe_path(user)
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Stop e-mails about new answers to questions you follow?" in page
    assert '<meta name="robots" content="noindex">' in page
    assert f'<form method="post" action="{path}">' in page
    assert user.email not in page and user.display_name not in page
    assert response.headers["Cache-Control"] == "no-store"
    assert opt_outs() == []


def test_one_click_post_without_session_or_csrf_turns_that_kind_off(client):
    user = make_user()
    path = mail_unsubscribe_path(user)
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You will no longer get e-mails about new answers to questions you follow" in response.get_data(as_text=True)
    assert opt_outs() == [(user.id, "answer_posted")]

    notifications.notify(user, "answer_posted", "Dr Kim answered: Is filler safe?", link="/questions/1")
    notifications.notify(user, "follow_up", "New follow-up on: Is filler safe?", link="/questions/1")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.kind == "answer_posted")) == 2  # in-app copies go on
    assert [m["Subject"] for m in mail.SENT] == ["Ask a Cosmetic Doctor: New follow-up on: Is filler safe?"]


def test_posting_again_is_harmless(client):
    user = make_user()
    path = mail_unsubscribe_path(user)
    assert client.post(path).status_code == 200
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert opt_outs() == [(user.id, "answer_posted")]


def test_undo_turns_the_mail_back_on(client):
    user = make_user()
    path = mail_unsubscribe_path(user)
    page = client.post(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert f'action="{path}/undo"' in page and "Turn them back on" in page
    response = client.post(f"{path}/undo", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == path
    assert opt_outs() == []
    followed = client.get(path)
    assert "E-mails about new answers to questions you follow are on again." in flashes(followed.get_data(as_text=True))
    assert mail_unsubscribe_path(user)  # mail of that kind is sent again


def test_undo_needs_the_csrf_token_so_a_forged_post_cannot_turn_mail_back_on(client):
    user = make_user()
    path = mail_unsubscribe_path(user)
    client.post(path)
    response = client.post(f"{path}/undo")
    assert response.status_code == 400
    assert opt_outs() == [(user.id, "answer_posted")]


def test_a_tampered_token_gets_a_plain_error_page_and_changes_nothing(client):
    user = make_user()
    path = mail_unsubscribe_path(user)
    tampered = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    for response in (client.get(tampered), client.post(tampered), client.get("/unsubscribe/nonsense"),
                     client.post("/unsubscribe/nonsense", data={"List-Unsubscribe": "One-Click"})):
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "This unsubscribe link is not valid" in page and "Traceback" not in page
    assert opt_outs() == []


def test_a_token_for_a_deleted_account_answers_exactly_like_a_live_one(client):
    user = make_user()
    live = mail_unsubscribe_path(user)
    gone = "/unsubscribe/" + mail.unsubscribe_token(user.id + 1000, "answer_posted")
    for method in ("get", "post"):
        answers = [getattr(client, method)(path) for path in (live, gone)]
        assert [a.status_code for a in answers] == [200, 200]
        pages = [without_csrf_token(a.get_data(as_text=True)).replace(path, "PATH")
                 for a, path in zip(answers, (live, gone))]
        assert pages[0] == pages[1]


def test_robots_stay_away_from_unsubscribe_links(client):
    assert "Disallow: /unsubscribe" in client.get("/robots.txt").get_data(as_text=True)
