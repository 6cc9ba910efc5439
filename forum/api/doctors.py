"""API: the public doctor directory and profiles."""
from flask_login import current_user
from flask_smorest import Blueprint

from forum.schemas.accounts import DoctorArgs, DoctorOut
from forum.schemas.common import page_of
from forum.services import doctors

blp = Blueprint("api_doctors", __name__, description="Verified doctors and their checked credentials")


@blp.get("/doctors")
@blp.arguments(DoctorArgs, location="query")
@blp.response(200, page_of(DoctorOut))
def list_doctors(args):
    """Verified doctors, filtered by specialty and location, sorted by answers, helpful votes or newest."""
    return doctors.list_doctors(**args)


@blp.get("/doctors/<int:doctor_id>")
@blp.response(200, DoctorOut)
def get_doctor(doctor_id):
    """A doctor's public profile and credential ledger."""
    return doctors.get_doctor(current_user, doctor_id)
