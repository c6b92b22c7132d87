"""Find markup in a page that could run code, for the hostile-input tests."""

from html.parser import HTMLParser

UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:")


class _Scanner(HTMLParser):
    def __init__(self, marker: str, echoed: tuple[str, ...] = ()):
        super().__init__()
        self.marker = marker
        self.echoed = echoed
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"iframe", "object", "embed", "img"}:
            self.found.append(f"<{tag}>")
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            self.found.append("<script> without a static src")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"{name}= on <{tag}>")
            our_favicon = tag == "link" and value == "data:,"
            link = name in {"href", "src", "action", "formaction"} and not our_favicon
            if link and value.startswith(UNSAFE_SCHEMES):
                self.found.append(f"{name}={value} on <{tag}>")
            carries = self.marker in value and name not in self.echoed
            if carries or (name.startswith("hx-") and self.marker in name):
                self.found.append(f"{name}={value} on <{tag}> carries the marker")


def unsafe_markup(html: str, marker: str = "evil", echoed: tuple[str, ...] = ()) -> list[str]:
    """Elements or attributes that could execute, or that carry `marker`
    (put it in hostile input to catch attributes such as hx-get="/evil").

    `echoed` names attributes that hold typed text on purpose (a form field's
    `value`, a button's `aria-label`): the marker is expected there, escaped;
    an attribute the text would have added still shows up on its own.
    """
    scanner = _Scanner(marker, echoed)
    scanner.feed(html)
    return scanner.found


HOSTILE = (
    '<script>alert("evil")</script><img src=x onerror=alert("evil")>'
    '<a href="javascript:alert(1)" hx-get="/evil">x</a> [x](javascript:alert("evil"))'
    ' [d](data:text/html;base64,ZXZpbA==) <div hx-post="/evil" onclick="evil()">y</div>'
)
# Short enough for name fields (80 characters).
HOSTILE_NAME = '<img src=x onerror="evil()"><a hx-get="/evil">'
