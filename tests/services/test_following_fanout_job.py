"""The followers of a topic or a doctor are told by a job after the commit, never in the asker's or
the doctor's request (a topic may have thousands of followers). Runs with the production queue (RQ
over the machine's Redis) and an in-process worker, as in test_jobs."""
from __future__ import annotations

import pytest

from forum.extensions import db
from forum.services import following
from tests.factories import make_doctor, make_user
from tests.following_helpers import add_subjects, topic
from tests.services.test_following import answer, ask, notes


@pytest.fixture
def app_config(redis_url):
    return {"JOBS_BACKEND": "rq", "JOBS_REDIS_URL": redis_url}


@pytest.fixture(autouse=True)
def subjects(app):
    add_subjects()


def waiting(jobs) -> list[tuple[str, dict]]:
    return [(job.func_name, job.kwargs) for job in map(jobs.queue.fetch_job, jobs.queue.job_ids)]


def test_a_new_question_is_announced_by_a_job_not_in_the_askers_request(jobs, drain):
    fans = [make_user() for _ in range(3)]
    for fan in fans:
        following.follow(fan, "topic", topic().id)
    question = ask(make_user())
    assert all(notes(fan) == [] for fan in fans)  # the asker's request told nobody
    assert ("forum.jobs.tasks.announce_followed", {"kind": "question", "subject_id": question.id}) in waiting(jobs)
    drain()
    assert all(len(notes(fan)) == 1 for fan in fans)


def test_a_followed_doctors_answer_is_announced_by_a_job(jobs, drain):
    doctor, fan = make_doctor(), make_user()
    following.follow(fan, "doctor", doctor.doctor_profile.id)
    question = ask(make_user())
    drain()
    posted = answer(doctor, question)
    assert notes(fan) == []
    drain()
    [note] = notes(fan)
    assert note.link.endswith(f"#answer-{posted.id}")


def test_a_question_hidden_before_the_job_runs_is_not_announced(jobs, drain):
    fan = make_user()
    following.follow(fan, "topic", topic().id)
    question = ask(make_user())
    question.hidden = True
    db.session.commit()
    drain()
    assert notes(fan) == []
