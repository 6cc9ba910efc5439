"""API: the public doctor directory and profiles, and the languages a doctor speaks."""
from flask_login import current_user
from flask_smorest import Blueprint

from forum.api.auth import AUTH, actor
from forum.schemas.common import page_of
from forum.schemas.doctors import DoctorLanguagesIn, DoctorListArgs, DoctorWithLanguagesOut
from forum.services import doctors

blp = Blueprint("api_doctors", __name__, description="Verified doctors and their checked credentials")


@blp.get("/doctors")
@blp.arguments(DoctorListArgs, location="query")
@blp.response(200, page_of(DoctorWithLanguagesOut))
def list_doctors(args):
    """Verified doctors, filtered by specialty, location and a language they speak, sorted by answers,
    helpful votes or newest."""
    return doctors.list_doctors(**args)


@blp.get("/doctors/<int:doctor_id>")
@blp.response(200, DoctorWithLanguagesOut)
def get_doctor(doctor_id):
    """A doctor's public profile, credential ledger and languages."""
    return doctors.get_doctor(current_user, doctor_id)


@blp.put("/doctor/languages")
@blp.arguments(DoctorLanguagesIn)
@blp.response(200, DoctorWithLanguagesOut)
@blp.doc(security=AUTH)
def set_languages(data):
    """A doctor (or applicant) sets the languages they speak: ISO 639-1 codes, at least one."""
    return doctors.set_languages(actor(), data["languages"])
