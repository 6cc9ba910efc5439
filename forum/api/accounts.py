"""API: registration, the current user, tokens, the doctor application."""
from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint

from forum import ratelimits
from forum.api.auth import AUTH, actor
from forum.schemas.accounts import (
    AccountIn, PasswordResetRequestIn, RegisterIn, TokenCreatedOut, TokenExchangeIn, TokenIn, TokenOut, UserOut,
)
from forum.i18n import _l
from forum.schemas.common import MessageOut
from forum.schemas.doctors import DoctorApplicationWithLanguagesIn, DoctorApplicationWithLanguagesOut
from forum.services import accounts, doctors, login_guard

blp = Blueprint("api_accounts", __name__, description="Registration, the current user, API tokens, doctor applications")
REGISTERED = _l("If this address is new, the account is ready; a confirmation link was sent to it.")
RESET_SENT = _l("If an account uses that address, a reset link was sent to it.")


@blp.post("/auth/register")
@ratelimits.signup
@blp.arguments(RegisterIn)
@blp.response(202, MessageOut)
def register(data):
    """Create an account. The answer is the same whether or not the address was taken."""
    accounts.register(email=data["email"], display_name=data["display_name"], password=data["password"])
    return {"message": str(REGISTERED)}


@blp.post("/auth/password-reset")
@ratelimits.password_reset
@blp.arguments(PasswordResetRequestIn)
@blp.response(202, MessageOut)
def password_reset(data):
    """Ask for a password-reset e-mail. Same answer whether or not the account exists."""
    accounts.request_password_reset(email=data["email"])
    return {"message": str(RESET_SENT)}


@blp.post("/auth/token")
@ratelimits.login
@blp.arguments(TokenExchangeIn)
@blp.response(201, TokenCreatedOut)
@blp.alt_response(202, schema=MessageOut, description="Too many failed log-ins on this account: no password "
                  "was checked; if the account exists, its owner was e-mailed a one-time log-in link.")
def exchange_token(data):
    """Trade an e-mail and password (and the two-factor code when on) for a named bearer token
    (for scripts). Tokens expire after 90 days by default."""
    try:
        token, raw = accounts.exchange_token(**data, ip=request.remote_addr)
    except login_guard.LoginLinkSent as e:
        return jsonify(message=e.message), 202
    token.token = raw
    return token


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, UserOut)
    @blp.doc(security=AUTH)
    def get(self):
        """The authenticated user."""
        return accounts.own_account(actor())

    @blp.arguments(AccountIn)
    @blp.response(200, UserOut)
    @blp.doc(security=AUTH)
    def patch(self, data):
        """Change your settings: `locale` is the site's language for you (pages, mail and notices),
        or null to follow your browser."""
        user = accounts.own_account(actor())
        if "locale" in data:
            accounts.set_locale(user, data["locale"])
        return user


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenOut(many=True))
    @blp.doc(security=AUTH)
    def get(self):
        """Your API tokens (values are never shown again)."""
        return accounts.list_tokens(actor())

    @blp.arguments(TokenIn)
    @blp.response(201, TokenCreatedOut)
    @blp.doc(security=AUTH)
    def post(self, data):
        """Create a named token after confirming your password (and two-factor code when on); its
        value is in this response only."""
        token, raw = accounts.issue_token(actor(), **data)
        token.token = raw
        return token


@blp.delete("/tokens/<int:token_id>")
@blp.response(204)
@blp.doc(security=AUTH)
def revoke_token(token_id):
    """Revoke one of your tokens."""
    accounts.revoke_token(actor(), token_id=token_id)


@blp.route("/doctor-application")
class DoctorApplication(MethodView):
    @blp.response(200, DoctorApplicationWithLanguagesOut)
    @blp.doc(security=AUTH)
    def get(self):
        """Your doctor application and its status."""
        return accounts.my_application(actor())

    @blp.arguments(DoctorApplicationWithLanguagesIn)
    @blp.response(201, DoctorApplicationWithLanguagesOut)
    @blp.doc(security=AUTH)
    def post(self, data):
        """Apply (or re-apply after a rejection or lapse) as a doctor, with the languages you speak
        (none given: the language of the request)."""
        return doctors.apply(actor(), **data)
