"""The README's serve command (`forum seed --demo --if-empty`) gives a newcomer a living site,
whose people are marked as fictional."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import DoctorProfile, Question
from forum.text import slugify


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_dev_seed_loads_the_demo_once_and_marks_its_people_fictional(app, client):
    app.config["PAGE_CACHE_SECONDS"] = 0
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "--demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    questions, doctors = count(Question), count(DoctorProfile)
    assert questions >= 20 and doctors >= 3
    again = runner.invoke(args=["seed", "--demo", "--if-empty"])
    assert "Demo content already present" in again.output and count(Question) == questions
    home = client.get("/").get_data(as_text=True)
    assert len(re.findall(r'class="card question-row"', home)) >= 3  # a living home page
    profile = db.session.scalars(select(DoctorProfile).order_by(DoctorProfile.id)).first()
    page = client.get(f"/doctors/{profile.id}/{slugify(profile.full_name)}").get_data(as_text=True)
    assert 'data-testid="demo-note"' in page and "Demo content: fictional people." in page
    assert "Demo content: fictional person" in client.get("/doctors").get_data(as_text=True)


def test_reference_content_alone_still_gets_the_demo(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "--if-empty"]).exit_code == 0
    assert count(Question) == 0
    assert "already present" in runner.invoke(args=["seed", "--if-empty"]).output
    result = runner.invoke(args=["seed", "--demo", "--if-empty"])
    assert result.exit_code == 0 and count(Question) > 0, result.output


def test_a_real_doctor_carries_no_demo_note(client):
    from tests.factories import make_doctor
    profile = make_doctor(full_name="Dr. Real Person", license_number="MN-55821").doctor_profile
    page = client.get(f"/doctors/{profile.id}/{slugify(profile.full_name)}").get_data(as_text=True)
    assert "demo-note" not in page and "Demo content" not in page
