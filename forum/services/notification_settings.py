"""How each category of notification reaches a member (in-app, instant e-mail, the digest, or not
at all), and how often the digest comes. Consultation and security notices always e-mail."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from forum.errors import Invalid
from forum.extensions import db
from forum.i18n import _, _l
from forum.models import Channel, DigestFrequency, DigestSetting, NotificationSetting, User
from forum.permissions import require


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    kinds: tuple[str, ...]
    default: Channel
    locked: bool = False  # always in-app and e-mail; the settings cannot change it


CATEGORIES = (
    Category("my_questions", _l("Answers to questions I asked or follow"),
             ("answer_posted", "answer_accepted", "answer_reviewed"), Channel.EMAIL),
    Category("follow_ups", _l("Follow-ups on answers"), ("follow_up",), Channel.EMAIL),
    Category("invitations", _l("Invitations to answer and review requests"), ("invitation", "medical_review"),
             Channel.EMAIL),
    Category("following", _l("New questions and answers in topics, treatments and doctors I follow"),
             ("followed_activity",), Channel.DIGEST),
    Category("reviews", _l("Patient reviews and replies"), ("review_posted", "review_reply"), Channel.EMAIL),
    Category("moderation", _l("Moderator notices about my posts and my doctor application"),
             ("content_under_review", "moderation", "doctor_decision", "doctor_lapsed"), Channel.EMAIL),
    Category("consultations", _l("My private consultations"), ("consultation",), Channel.EMAIL, locked=True),
    Category("account", _l("Security and account changes"), ("account",), Channel.EMAIL, locked=True),
)
BY_KEY = {c.key: c for c in CATEGORIES}
CATEGORY_OF_KIND = {kind: c for c in CATEGORIES for kind in c.kinds}
CHANNEL_LABELS = {Channel.EMAIL: _l("In-app and e-mail at once"), Channel.DIGEST: _l("In-app and in my digest"),
                  Channel.IN_APP: _l("In-app only"), Channel.OFF: _l("Off")}
DEFAULT_FREQUENCY = DigestFrequency.WEEKLY
FREQUENCY_LABELS = {DigestFrequency.DAILY: _l("Daily"), DigestFrequency.WEEKLY: _l("Weekly (Mondays)"),
                    DigestFrequency.NEVER: _l("Never")}


def is_locked(kind: str) -> bool:
    """Whether notifications of `kind` always reach the member in-app and by e-mail (consultations,
    security): no setting and no unsubscribe link turns them off."""
    category = CATEGORY_OF_KIND.get(kind)
    return category is not None and category.locked


def channel_for(user_id: int, kind: str) -> Channel:
    """The channel a notification of `kind` takes for that user (a kind in no category: e-mail)."""
    category = CATEGORY_OF_KIND.get(kind)
    if category is None:
        return Channel.EMAIL
    if category.locked:
        return category.default
    row = db.session.get(NotificationSetting, (user_id, category.key))
    return row.channel if row is not None else category.default


def settings_of(actor: User) -> dict:
    """{"channels": {category key: channel}, "frequency": digest frequency} for the settings page."""
    require(actor, "account.use")
    rows = {r.category: r.channel for r in db.session.scalars(
        select(NotificationSetting).where(NotificationSetting.user_id == actor.id))}
    channels = {c.key: (c.default if c.locked else rows.get(c.key, c.default)) for c in CATEGORIES}
    return {"channels": channels, "frequency": digest_frequency(actor.id),
            "locked": [c.key for c in CATEGORIES if c.locked]}


def digest_frequency(user_id: int) -> DigestFrequency:
    row = db.session.get(DigestSetting, user_id)
    return row.frequency if row is not None else DEFAULT_FREQUENCY


def _parse(data: dict) -> tuple[dict[str, Channel], DigestFrequency | None]:
    errors, channels = {}, {}
    for key, value in (data.get("channels") or {}).items():
        category = BY_KEY.get(key)
        if category is None:
            errors[f"channels.{key}"] = [_("There is no such kind of notification.")]
        elif value not in {c.value for c in Channel}:
            errors[f"channels.{key}"] = [_("Choose e-mail, digest, in-app or off.")]
        elif category.locked and value != category.default:
            errors[f"channels.{key}"] = [_("%(category)s always reach you in-app and by e-mail.",
                                           category=category.label)]
        else:
            channels[key] = Channel(value)
    frequency = data.get("frequency")
    if frequency is not None and frequency not in {f.value for f in DigestFrequency}:
        errors["frequency"] = [_("Choose daily, weekly or never.")]
    if errors:
        raise Invalid(_("Some settings could not be saved; nothing was changed."), fields=errors)
    return channels, (DigestFrequency(frequency) if frequency is not None else None)


def save_settings(actor: User, data: dict) -> dict:
    """Change channels per category ({"channels": {key: channel}}) and/or the digest frequency
    ({"frequency": "daily"|"weekly"|"never"}); all or nothing. Returns the settings."""
    require(actor, "account.use")
    channels, frequency = _parse(data)
    try:
        _apply(actor.id, channels, frequency)
    except IntegrityError:  # a double submit of a first save made the rows meanwhile: change them
        db.session.rollback()
        _apply(actor.id, channels, frequency)
    return settings_of(actor)


def _apply(user_id: int, channels: dict[str, Channel], frequency: DigestFrequency | None) -> None:
    for key, channel in channels.items():
        if BY_KEY[key].locked:
            continue
        row = db.session.get(NotificationSetting, (user_id, key))
        if row is None:
            db.session.add(NotificationSetting(user_id=user_id, category=key, channel=channel))
        else:
            row.channel = channel
    if frequency is not None:
        set_digest_frequency(user_id, frequency)
    db.session.commit()


def set_digest_frequency(user_id: int, frequency: DigestFrequency) -> None:
    """In the caller's transaction (settings, one-click unsubscribe)."""
    row = db.session.get(DigestSetting, user_id)
    if row is None:
        db.session.add(DigestSetting(user_id=user_id, frequency=frequency))
    else:
        row.frequency = frequency
