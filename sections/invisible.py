"""Characters that change how text reads without being seen.

Bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE, the isolates U+2066…)
reorder what follows them, so "https://ok.example/\u202ecod.exe" reads as a
harmless link to something else, and zero-width characters (U+200B …) make
two different strings look the same. A title, a name or a link is refused
when it holds one; a body, a question or code keeps what was typed, with
each such character written out ("⟨U+202E⟩"), so it shows instead of acting.

Joiners (U+200C, U+200D) stay: emoji sequences and several scripts need them,
and they reorder nothing.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HIDDEN = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def hidden_in(text: str) -> list[str]:
    """The hidden characters of `text`, named as "U+202E", in order, once each."""
    return list(dict.fromkeys(_code(char) for char in HIDDEN.findall(text or "")))


def refuse_hidden(value: str) -> None:
    """A validator for titles, names and links."""
    if found := hidden_in(value):
        raise ValidationError(
            _(
                "This holds invisible characters that change how text reads (%(found)s): "
                "remove them and save again."
            ),
            code="hidden_characters",
            params={"found": ", ".join(found)},
        )


def made_visible(text: str) -> str:
    """`text` with each hidden character written out in its place."""
    return HIDDEN.sub(lambda match: f"⟨{_code(match.group())}⟩", text)


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"
