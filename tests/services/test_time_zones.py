"""Time zones: the member's setting (validated IANA names), and consultation times converted
between the viewer's wall clock and the UTC the database keeps."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from forum import clock
from forum.errors import Invalid
from forum.extensions import db
from forum.models import ConsultationStatus
from forum.services import consultations, time_zones
from tests.factories import make_doctor, make_user
from tests.services.test_consultations import make_request, set_status


def test_a_summer_time_in_paris_is_stored_two_hours_earlier_in_utc():
    assert time_zones.to_utc(date(2099, 6, 1), time(17, 30), "Europe/Paris") == datetime(2099, 6, 1, 15, 30)


def test_a_winter_time_in_new_york_is_stored_five_hours_later_in_utc():
    assert time_zones.to_utc(date(2099, 1, 15), time(9, 0), "America/New_York") == datetime(2099, 1, 15, 14, 0)


def test_a_stored_time_is_shown_on_the_viewers_wall_clock_with_the_zone_name():
    stored = datetime(2099, 6, 1, 15, 30)
    assert time_zones.show(stored, "Europe/Paris") == "Monday 01 June 2099, 17:30 Europe/Paris"
    assert time_zones.show(stored, "Asia/Tokyo") == "Tuesday 02 June 2099, 00:30 Asia/Tokyo"
    assert time_zones.show(stored, "UTC") == "Monday 01 June 2099, 15:30 UTC"


def test_a_time_the_clocks_skip_is_refused_at_the_time_field():
    with pytest.raises(Invalid) as refused:  # 02:30 never happens on the last Sunday of March in Paris
        time_zones.to_utc(date(2030, 3, 31), time(2, 30), "Europe/Paris")
    assert "does not exist" in refused.value.fields["scheduled_time"][0]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/paris ", "", "../../etc/passwd", "+02:00"])
def test_an_unknown_zone_is_a_plain_field_error(app, zone):
    member = make_user()
    with pytest.raises(Invalid) as refused:
        time_zones.set_time_zone(member, time_zone=zone)
    assert refused.value.fields == {"time_zone": ["Choose your time zone from the list."]}
    db.session.refresh(member)
    assert member.time_zone is None


def test_a_member_sets_a_zone_and_sees_times_in_it(app):
    member = make_user()
    assert time_zones.zone_of(member) == "UTC"  # nothing set: UTC
    time_zones.set_time_zone(member, time_zone="America/Sao_Paulo")
    db.session.expire_all()
    assert member.time_zone == "America/Sao_Paulo" and time_zones.zone_of(member) == "America/Sao_Paulo"


def test_the_browsers_zone_is_taken_only_while_none_is_set(app):
    member = make_user()
    time_zones.remember_browser_zone(member, "Not/AZone")
    assert member.time_zone is None
    time_zones.remember_browser_zone(member, "Asia/Kolkata")
    assert member.time_zone == "Asia/Kolkata"
    time_zones.remember_browser_zone(member, "Europe/Oslo")
    assert member.time_zone == "Asia/Kolkata"



def test_the_doctor_proposes_a_time_on_their_own_clock_and_it_is_stored_in_utc(app):
    requester, doctor = make_user(), make_doctor()
    consultation = set_status(make_request(requester, doctor), ConsultationStatus.ACCEPTED)
    consultations.respond(doctor, consultation_id=consultation.id, decision="schedule", body="Does this suit?",
                          scheduled_date=date(2099, 6, 1), scheduled_time=time(17, 30), time_zone="Europe/Paris")
    db.session.expire_all()
    assert consultation.status == ConsultationStatus.SCHEDULED
    assert consultation.scheduled_for == datetime(2099, 6, 1, 15, 30)
    assert doctor.time_zone == "Europe/Paris"  # the browser's zone became the doctor's setting


def test_a_proposed_time_in_the_past_of_the_doctors_zone_is_refused_at_the_date(app):
    requester, doctor = make_user(), make_doctor(user=make_user(time_zone="Pacific/Kiritimati"))
    consultation = set_status(make_request(requester, doctor), ConsultationStatus.ACCEPTED)
    # an hour ago in UTC, read as a Kiritimati wall clock (UTC+14), is still 13 hours in the past
    past = clock.now() - timedelta(hours=1)
    with pytest.raises(Invalid) as refused:
        consultations.respond(doctor, consultation_id=consultation.id, decision="schedule",
                              scheduled_date=past.date(), scheduled_time=past.time())
    assert refused.value.fields == {"scheduled_date": ["Propose a time in the future."]}


def test_the_api_keeps_utc_with_an_offset(app):
    requester, doctor = make_user(), make_doctor(user=make_user(time_zone="Asia/Tokyo"))
    consultation = set_status(make_request(requester, doctor), ConsultationStatus.ACCEPTED)
    proposed = datetime(2099, 6, 1, 17, 30, tzinfo=timezone(timedelta(hours=2)))
    consultations.transition(doctor, consultation_id=consultation.id, action="schedule", scheduled_for=proposed)
    db.session.expire_all()
    assert consultation.scheduled_for == datetime(2099, 6, 1, 15, 30)
