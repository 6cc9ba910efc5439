"""API: private consultations (participants only; everyone else gets 404), account data."""
from flask import Response, request, send_file
from flask_login import current_user
from flask_smorest import Blueprint

from forum import ratelimits
from forum.api.auth import AUTH, actor
from forum.errors import Invalid
from forum.i18n import _
from forum.schemas.common import MessageOut, page_of
from forum.schemas.consultations import (
    AcceptingIn, AccountDeleteIn, ConsultationIn, ConsultationOut, ConsultationSummaryOut, InboxArgs, MessageIn,
    TransitionIn,
)
from forum.services import account_data, consultations

blp = Blueprint("api_consultations", __name__, description="Private consultations and your own data")


def _out(consultation_id: str) -> dict:
    user = current_user._get_current_object()  # a visitor gets 404 like everyone else
    page = consultations.consultation_page(user, consultation_id)
    consultation = page["consultation"]
    return {**consultations.summary(user, consultation), "requested_specialty": consultation.requested_specialty,
            "scheduled_for": consultation.scheduled_for, "details": page["details"], "messages": page["messages"],
            "photos": [{"id": p.id, "content_type": p.content_type, "size": p.size,
                        "url": f"/api/v1/consultations/{consultation.id}/photos/{p.id}"} for p in consultation.photos]}


@blp.get("/consultations")
@blp.arguments(InboxArgs, location="query")
@blp.response(200, page_of(ConsultationSummaryOut))
@blp.doc(security=AUTH)
def inbox(args):
    """Your requests, and (for a doctor) incoming requests, newest first."""
    user = actor()
    page = consultations.inbox(user, **args)
    return {"items": [consultations.summary(user, c) for c in page.items], "next_cursor": page.next_cursor}


@blp.post("/consultations")
@ratelimits.consultation
@blp.arguments(ConsultationIn)
@blp.response(201, ConsultationOut)
@blp.doc(security=AUTH)
def create(data):
    """Send a private request (JSON; attach photos with POST .../photos). `consent` must be true."""
    created = consultations.request_consultation(actor(), **data)
    return _out(created.id)


@blp.get("/consultations/<consultation_id>")
@blp.response(200, ConsultationOut)
@blp.doc(security=AUTH)
def get(consultation_id):
    """One request with its thread (404 for anyone but its two participants)."""
    return _out(consultation_id)


@blp.post("/consultations/<consultation_id>/photos")
@ratelimits.photo_uploads
@blp.response(201, ConsultationOut)
@blp.doc(security=AUTH, description="multipart/form-data with up to five `photos` files (by default at most "
                                    "4 MB and 24 megapixels each); requests with photos are rate limited per account")
def add_photos(consultation_id):
    """Attach photos (multipart `photos`) to your own request while it is open."""
    uploads = [(f.read(), f.filename or "") for f in request.files.getlist("photos") if f and f.filename]
    if not uploads:
        raise Invalid(fields={"photos": [_("Attach at least one photo as multipart field `photos`.")]})
    consultations.add_photos(actor(), consultation_id=consultation_id, photos_in=uploads)
    return _out(consultation_id)


@blp.get("/consultations/<consultation_id>/photos/<photo_id>")
@blp.doc(security=AUTH)
def photo(consultation_id, photo_id):
    """A photo, for the two participants only."""
    data, content_type = consultations.photo_file(current_user._get_current_object(), consultation_id, photo_id)
    return Response(data, mimetype=content_type, headers={"Cache-Control": "no-store",
                                                          "Content-Disposition": "attachment"})


@blp.post("/consultations/<consultation_id>/<any(accept, decline, schedule, complete, withdraw):action>")
@blp.arguments(TransitionIn)
@blp.response(200, ConsultationOut)
@blp.doc(security=AUTH)
def act(data, consultation_id, action):
    """Doctor: accept, decline (message required), schedule (scheduled_for), complete. Requester: withdraw."""
    consultations.transition(actor(), consultation_id=consultation_id, action=action, **data)
    return _out(consultation_id)


@blp.post("/consultations/<consultation_id>/messages")
@blp.arguments(MessageIn)
@blp.response(201, ConsultationOut)
@blp.doc(security=AUTH)
def message(data, consultation_id):
    """A private message in the thread."""
    consultations.send_message(actor(), consultation_id=consultation_id, **data)
    return _out(consultation_id)


@blp.put("/doctor/accepting")
@blp.arguments(AcceptingIn)
@blp.response(200, MessageOut)
@blp.doc(security=AUTH)
def accepting(data):
    """A verified doctor turns new consultation requests on or off."""
    consultations.set_accepting(actor(), accepting=data["accepting"])
    return {"message": "accepting" if data["accepting"] else "not accepting"}


@blp.get("/account/export")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/zip",
              description="A zip: `data.json` (everything about you) and your consultation photos, decrypted",
              headers={"Content-Disposition": {"description": "attachment; filename=ask-a-cosmetic-doctor-export-"
                                                              "<date>.zip", "schema": {"type": "string"}}})
@blp.doc(security=AUTH)
def export():
    """All your data as a zip file of JSON and your own consultation photos."""
    archive = account_data.export_archive(actor())
    response = send_file(archive.file, mimetype="application/zip", as_attachment=True,
                         download_name=archive.filename, conditional=False, etag=False)
    response.headers.update({"Content-Length": str(archive.size), "Cache-Control": "no-store"})
    return response


@blp.delete("/account")
@blp.arguments(AccountDeleteIn)
@blp.response(204)
@blp.doc(security=AUTH)
def delete_account(data):
    """Delete your account (password required)."""
    account_data.delete_account(actor(), **data)
