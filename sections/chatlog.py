"""A block copied from the group chat (WeChat, WeCom, Feishu), read as chat
lines: who said what, and when.

Two shapes, as the apps copy several messages:

- a line with the name and the time, then the message on the lines below
  ("初七 2023-06-10 21:05" / "位置编码怎么选？"), until the next such line;
- a line "name: message" or "name：message".

Anything else is a line of its own without a speaker: nothing pasted is
dropped. Names stay as written; the service matches them to aliases.
"""

import re
from dataclasses import dataclass

# What the apps write for a time: "21:05", "21:05:31", "下午9:05",
# "2023-06-10 21:05", "2023/6/10 21:05", "6/10 21:05", "6月10日 21:05",
# "昨天 21:05".
_DATE = r"(?:(?:\d{4}[-/年])?\d{1,2}[-/月]\d{1,2}日?|昨天|前天|星期.|周.)"
_TIME = rf"(?:{_DATE}\s*)?(?:上午|下午|晚上|凌晨|中午)?\s*\d{{1,2}}:\d{{2}}(?::\d{{2}})?"
HEADER = re.compile(rf"^(?P<name>\S(?:.{{0,38}}?\S)?)\s+(?P<time>{_TIME})$")
# A name without spaces before the colon, short enough to be a name: "注意：
# 这里" is a name only if the rest of the paste says so, so the shape is kept
# for short names and a message after the colon.
SAID = re.compile(r"^(?P<name>[^\s：:【】\[\]（）()]{1,20})\s*[：:]\s*(?P<text>\S.*)$")
# "[21:05] 初七: …", as some clients export.
STAMPED = re.compile(
    rf"^\[(?P<time>{_TIME})\]\s*(?P<name>[^\s：:]{{1,20}})\s*[：:]\s*(?P<text>\S.*)$"
)

MAX_TIME = 20  # ChatLine.said_at


@dataclass
class PastedLine:
    name: str  # empty: no speaker was written
    said_at: str
    text: str


def read_chat(block: str) -> list[PastedLine]:
    lines: list[PastedLine] = []
    open_message: PastedLine | None = None  # after a "name time" line
    for raw in block.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            continue
        header = HEADER.match(line)
        if header and len(header["time"]) <= MAX_TIME and not SAID.match(line):
            open_message = PastedLine(header["name"], " ".join(header["time"].split()), "")
            lines.append(open_message)
            continue
        if open_message is not None:
            open_message.text = f"{open_message.text}\n{line}" if open_message.text else line
            continue
        stamped = STAMPED.match(line)
        said = SAID.match(line)
        if stamped:
            lines.append(PastedLine(stamped["name"], stamped["time"], stamped["text"]))
        elif said and not said["text"].startswith("//") and not said["name"].isdigit():
            lines.append(PastedLine(said["name"], "", said["text"]))
        else:
            lines.append(PastedLine("", "", line))
    # A name and a time with nothing below (the paste was cut): no line.
    return [line for line in lines if line.text]
