"""Spam controls shared by the posting services: links per post for new accounts."""
from __future__ import annotations

import re
from datetime import timedelta

from forum import clock
from forum.errors import Invalid
from forum.i18n import _
from forum.models import User

NEW_ACCOUNT_AGE = timedelta(days=1)
NEW_ACCOUNT_MAX_LINKS = 2
_LINK = re.compile(r"https?://|\bwww\.", re.I)


def check_links(actor: User, field: str, *texts: str | None) -> None:
    """Accounts younger than a day may put at most two links in a post (Discourse's TL0 rule)."""
    if actor.is_staff or actor.created_at is None or clock.now() - actor.created_at >= NEW_ACCOUNT_AGE:
        return
    links = sum(len(_LINK.findall(text or "")) for text in texts)
    if links > NEW_ACCOUNT_MAX_LINKS:
        message = _("New accounts may include at most %(num)d links in a post.", num=NEW_ACCOUNT_MAX_LINKS)
        raise Invalid(message, fields={field: [message]})
