"""Email: one message to one member, or their daily digest.

The recipient's own address only, never another's; the sender is the desk.
Each mail carries a signed one-click unsubscribe link for its kind (RFC 8058:
`List-Unsubscribe` with `List-Unsubscribe-Post`), and a Message-ID stable
for the delivery, so a copy sent twice (a worker killed after the server
took it) is one message to the reader's client.
"""

import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from sections.markup import render_markdown

from .compose import absolute
from .message import Message, PermanentError, TransientError

UNSUBSCRIBE_SALT = "notify.unsubscribe"
ALL_KINDS = "*"


def unsubscribe_token(user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind); signing.BadSignature for a token we did not make."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["k"])


def unsubscribe_url(user: User, kind: str) -> str:
    return absolute(reverse("notify-unsubscribe", args=[unsubscribe_token(user, kind)]))


def send(user: User, messages: list[Message], *, kind: str, message_id: str) -> str:
    """Send one mail (a message, or several as a digest); the server's word."""
    language = user.language or settings.LANGUAGE_CODE
    unsubscribe = unsubscribe_url(user, kind)
    with translation.override(language):
        context = {
            "messages": [(m, render_markdown(m.text)) for m in messages],
            "digest": len(messages) > 1 or kind == ALL_KINDS,
            "unsubscribe": unsubscribe,
            "preferences": absolute(reverse("notify-preferences")),
            "alias": user.alias,
        }
        subject = render_to_string("notify/mail_subject.txt", context).strip()
        text = render_to_string("notify/mail.txt", context)
        html = render_to_string("notify/mail.html", context)
    mail = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[user.email],
        headers={
            "Message-ID": f"<{message_id}@{settings.NOTIFY_MAIL_DOMAIN}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    mail.attach_alternative(html, "text/html")
    try:
        with mailers.default as connection:
            connection.send_messages([mail])
    except smtplib.SMTPRecipientsRefused as error:
        raise PermanentError(f"the mail server refused the address ({_codes(error)})") from None
    except smtplib.SMTPResponseException as error:
        word = f"the mail server answered {error.smtp_code}"
        if 400 <= error.smtp_code < 500:
            raise TransientError(word) from None
        raise PermanentError(word) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise TransientError(f"the mail server could not be reached: {error}") from None
    return "250 accepted"


def _codes(error: smtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(str(code) for code, _text in error.recipients.values())
