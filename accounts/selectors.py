"""Reads of accounts that more than one place needs."""

from .models import User


def canonical_alias(typed: str) -> str:
    """The stored spelling of an alias typed in any case.

    django-axes counts failures per username exactly as it reaches
    authenticate(). Login ignores case, so without this "Foo", "FOO", "fOo"…
    would each get their own five guesses.
    """
    stored = User.objects.filter(alias__iexact=typed).values_list("alias", flat=True).first()
    return stored or typed.lower()
