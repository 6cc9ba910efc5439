"""Member profile pages, and changing the display name and e-mail address from the account page."""
import re
from datetime import datetime

from forum import mail
from forum.extensions import db
from forum.models import AuthToken, Question, User, UserStatus
from tests.factories import PASSWORD, make_doctor, make_user
from tests.web.html import field_errors, flashes, text


def ask(author, title, *, anonymous=False) -> Question:
    question = Question(author=author, title=title, body="A question body long enough to be asked here.",
                        anonymous=anonymous, helpful_count=2)
    db.session.add(question)
    db.session.commit()
    return question


def confirm_link(address: str) -> str:
    (message,) = [m for m in mail.SENT if m["To"] == address]
    match = re.search(r"/account/email/confirm/[A-Za-z0-9_\-]+", message.get_body(("plain",)).get_content())
    assert match
    return match.group(0)


# ---- the profile page ----

def test_the_profile_shows_name_member_since_and_public_questions_only(client):
    member = make_user(display_name="Nora Vale", created_at=datetime(2025, 3, 14, 9, 0))
    ask(member, "Does retinol help enlarged pores?")
    ask(member, "A private worry about my nose", anonymous=True)
    response = client.get(f"/members/{member.id}/nora-vale")
    assert response.status_code == 200
    page = text(response)
    assert "Nora Vale" in page and "Member since March 2025" in page
    assert "Does retinol help enlarged pores?" in page
    assert "private worry" not in page
    assert re.search(r"<strong>1</strong>\s*question\b", page)
    assert re.search(r"<strong>2</strong>\s*helpful votes", page)
    assert member.email not in page


def test_a_wrong_or_missing_slug_redirects_to_the_canonical_address(client):
    member = make_user(display_name="Nora Vale")
    for path in (f"/members/{member.id}", f"/members/{member.id}/someone-else"):
        response = client.get(path)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/members/{member.id}/nora-vale")


def test_suspended_and_unknown_members_have_no_page(client):
    suspended = make_user(status=UserStatus.SUSPENDED, display_name="Sam Stopped")
    assert client.get(f"/members/{suspended.id}/sam-stopped").status_code == 404
    assert client.get("/members/999999/nobody").status_code == 404


def test_a_doctors_member_profile_does_not_name_or_link_the_doctor_page(client):
    doctor = make_doctor(user=make_user(display_name="Ann Lee"))
    page = text(client.get(f"/members/{doctor.id}/ann-lee"))
    assert f"/doctors/{doctor.doctor_profile.id}/" not in page and doctor.doctor_profile.full_name not in page


def test_the_question_page_links_a_named_asker_to_the_profile_and_never_an_anonymous_one(client):
    member = make_user(display_name="Nora Vale")
    named = ask(member, "Does retinol help enlarged pores?")
    hidden_name = ask(member, "A private worry about my nose", anonymous=True)
    assert f'href="/members/{member.id}/nora-vale"' in client.get(f"/questions/{named.id}/{named.slug}").get_data(
        as_text=True)
    anonymous_page = client.get(f"/questions/{hidden_name.id}/{hidden_name.slug}").get_data(as_text=True)
    assert "/members/" not in anonymous_page and "Nora Vale" not in anonymous_page


# ---- display name ----

def test_a_new_display_name_shows_on_the_profile_at_once(browser, client):
    member = make_user(display_name="Old Name")
    assert client.get(f"/members/{member.id}/old-name").status_code == 200  # a visitor's copy is cached
    browser.login(member)
    response = browser.post_form("/account/display-name", {"display_name": "New Name"}, token_from="/account")
    assert response.status_code == 303
    client.post("/logout", data={"csrf_token": browser.api_token()})
    assert client.get(f"/members/{member.id}/old-name").status_code == 301
    assert "New Name" in text(client.get(f"/members/{member.id}/new-name"))


def test_a_display_name_breaking_the_registration_rule_is_refused_at_the_field(browser):
    member = make_user(display_name="Kept Name")
    browser.login(member)
    response = browser.post_form("/account/display-name", {"display_name": "x"}, token_from="/account")
    assert response.status_code == 422
    assert "display_name" in field_errors(response.get_data(as_text=True))
    assert db.session.get(User, member.id).display_name == "Kept Name"


# ---- e-mail change ----

def test_a_wrong_password_is_refused_and_nothing_is_sent(browser):
    browser.login(make_user())
    mail.SENT.clear()
    response = browser.post_form("/account/email", {"new_email": "new@example.org", "password": "nope"},
                                 token_from="/account")
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True)) == {"email-password": ["This is not your current password."]}
    assert mail.SENT == []


def test_changing_the_email_by_the_link_sent_to_the_new_address(browser, client):
    member = make_user(email="old@example.org")
    browser.login(member)
    mail.SENT.clear()
    response = browser.post_form("/account/email", {"new_email": "new@example.org", "password": PASSWORD},
                                 token_from="/account")
    assert response.status_code == 303
    assert "confirmation link" in flashes(client.get("/account").get_data(as_text=True))[0]
    assert [m["To"] for m in mail.SENT] == ["new@example.org", "old@example.org"]
    link = confirm_link("new@example.org")
    form = client.get(link)  # GET shows a button and changes nothing
    assert form.status_code == 200 and "new@example.org" in text(form)
    assert db.session.get(User, member.id).email == "old@example.org"
    assert browser.post_form(link, {}).status_code == 303
    assert db.session.get(User, member.id).email == "new@example.org"
    assert any(m["To"] == "old@example.org" and "was changed" in m["Subject"] for m in mail.SENT)
    again = browser.post_form(link, {}, token_from="/account")
    assert again.status_code == 400 and "invalid or has expired" in text(again)


def test_an_expired_link_shows_why_and_changes_nothing(browser, client):
    member = make_user(email="stay@example.org")
    browser.login(member)
    browser.post_form("/account/email", {"new_email": "late@example.org", "password": PASSWORD}, token_from="/account")
    link = confirm_link("late@example.org")
    db.session.query(AuthToken).update({"expires_at": datetime(2000, 1, 1)})
    db.session.commit()
    response = client.get(link)
    assert response.status_code == 400 and "invalid or has expired" in text(response)
    assert db.session.get(User, member.id).email == "stay@example.org"


def test_a_taken_address_gets_the_same_answer_and_only_a_mail_to_its_owner(browser, client):
    make_user(email="taken@example.org")
    member = make_user(email="mine@example.org")
    browser.login(member)
    mail.SENT.clear()
    response = browser.post_form("/account/email", {"new_email": "taken@example.org", "password": PASSWORD},
                                 token_from="/account")
    assert response.status_code == 303
    (to_owner,) = [m for m in mail.SENT if m["To"] == "taken@example.org"]
    assert "already registered" in to_owner["Subject"]
    assert db.session.get(User, member.id).email == "mine@example.org"
