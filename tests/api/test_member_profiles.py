"""API: member profiles, the display name and the e-mail address."""
import re
from datetime import datetime

from forum import mail
from forum.extensions import db
from forum.models import Question, User, UserStatus
from tests.api.helpers import error_of
from tests.factories import PASSWORD, make_doctor, make_user


def ask(author, title, *, anonymous=False, helpful=0) -> Question:
    question = Question(author=author, title=title, body="A question body long enough to be asked here.",
                        anonymous=anonymous, helpful_count=helpful)
    db.session.add(question)
    db.session.commit()
    return question


def token_sent_to(address: str) -> str:
    (message,) = [m for m in mail.SENT if m["To"] == address]
    match = re.search(r"/account/email/confirm/([A-Za-z0-9_\-]+)", message.get_body(("plain",)).get_content())
    assert match
    return match.group(1)


def test_a_profile_has_no_email_and_counts_only_public_questions(client):
    member = make_user(display_name="Nora Vale", created_at=datetime(2025, 3, 14))
    ask(member, "Does retinol help enlarged pores?", helpful=4)
    ask(member, "A private worry about my nose", anonymous=True, helpful=9)
    response = client.get(f"/api/v1/members/{member.id}")
    assert response.status_code == 200
    assert response.get_json() == {"id": member.id, "display_name": "Nora Vale", "slug": "nora-vale",
                                   "member_since": "2025-03", "question_count": 1, "helpful_count": 4}
    assert member.email not in response.get_data(as_text=True)


def test_a_members_questions_never_include_anonymous_ones(client):
    member = make_user()
    ask(member, "Does retinol help enlarged pores?")
    ask(member, "A private worry about my nose", anonymous=True)
    body = client.get(f"/api/v1/members/{member.id}/questions?limit=10").get_json()
    assert [q["title"] for q in body["items"]] == ["Does retinol help enlarged pores?"]
    assert body["next_cursor"] is None


def test_a_doctor_members_profile_does_not_point_to_the_doctor_profile(client):
    doctor = make_doctor()  # their own questions must not be tied to their professional identity
    body = client.get(f"/api/v1/members/{doctor.id}").get_json()
    assert "doctor_id" not in body and doctor.doctor_profile.full_name not in str(body)


def test_suspended_and_unknown_members_are_404(client):
    suspended = make_user(status=UserStatus.SUSPENDED)
    error_of(client.get(f"/api/v1/members/{suspended.id}"), 404, "not_found")
    error_of(client.get(f"/api/v1/members/{suspended.id}/questions"), 404, "not_found")
    error_of(client.get("/api/v1/members/999999"), 404, "not_found")


def test_changing_the_display_name(client, bearer):
    member = make_user(display_name="Old Name")
    response = client.post("/api/v1/account/display-name", json={"display_name": "  New Name "},
                           headers=bearer(member))
    assert response.status_code == 200 and response.get_json()["display_name"] == "New Name"
    assert client.get(f"/api/v1/members/{member.id}").get_json()["slug"] == "new-name"


def test_a_display_name_breaking_the_rule_is_422(client, bearer):
    member = make_user(display_name="Kept Name")
    error = error_of(client.post("/api/v1/account/display-name", json={"display_name": "x" * 51},
                                 headers=bearer(member)), 422)
    assert "display_name" in error["fields"]
    assert db.session.get(User, member.id).display_name == "Kept Name"


def test_the_settings_need_a_log_in(client):
    error_of(client.post("/api/v1/account/display-name", json={"display_name": "Someone"}), 401)
    error_of(client.post("/api/v1/account/email", json={"new_email": "a@example.org", "password": PASSWORD}), 401)


def test_a_wrong_password_is_422_and_sends_nothing(client, bearer):
    member = make_user()
    headers = bearer(member)
    mail.SENT.clear()
    error = error_of(client.post("/api/v1/account/email", json={"new_email": "new@example.org", "password": "nope"},
                                 headers=headers), 422)
    assert "password" in error["fields"]
    assert mail.SENT == []


def test_the_email_changes_once_the_token_is_confirmed_and_only_once(client, bearer):
    member = make_user(email="old@example.org")
    headers = bearer(member)
    mail.SENT.clear()
    response = client.post("/api/v1/account/email", json={"new_email": "new@example.org", "password": PASSWORD},
                           headers=headers)
    assert response.status_code == 202
    assert {m["To"] for m in mail.SENT} == {"new@example.org", "old@example.org"}
    token = token_sent_to("new@example.org")
    assert db.session.get(User, member.id).email == "old@example.org"
    assert client.post("/api/v1/account/email/confirm", json={"token": token}).status_code == 200
    assert db.session.get(User, member.id).email == "new@example.org"
    error_of(client.post("/api/v1/account/email/confirm", json={"token": token}), 422, "invalid")


def test_a_taken_address_answers_like_a_free_one(client, bearer):
    make_user(email="taken@example.org")
    member = make_user()
    headers = bearer(member)
    free = client.post("/api/v1/account/email", json={"new_email": "free@example.org", "password": PASSWORD},
                       headers=headers)
    taken = client.post("/api/v1/account/email", json={"new_email": "taken@example.org", "password": PASSWORD},
                        headers=headers)
    assert (free.status_code, free.get_json()) == (taken.status_code, taken.get_json())


def test_email_change_requests_are_limited_per_account(client, bearer):
    member = make_user()
    headers = bearer(member)
    codes = [client.post("/api/v1/account/email", json={"new_email": f"try{n}@example.org", "password": PASSWORD},
                         headers=headers).status_code for n in range(6)]
    assert codes == [202] * 5 + [429]
