"""The reader of 聊天区 (`ChatReader`): chat lines."""

import re

from .. import text as T
from ..text import Line
from .common import (
    MAX_NAME,
    BlockReader,
    label_of,
)
from .parsed import ParsedChatLine

CHAT_LINE = [
    re.compile(
        r"^(?P<speaker>[^\s：:]{1,40})\s+(?P<time>(?:\d{4}-\d{2}-\d{2}\s+)?\d{1,2}:\d{2}(?::\d{2})?)\s*[：:]\s*(?P<text>.*)$"
    ),
    re.compile(r"^(?P<speaker>[^\s：:【】]{1,20})\s*[：:]\s*(?P<text>.+)$"),
]


class ChatReader(BlockReader):
    """Chat lines: "speaker time：text", "speaker：text", or plain text."""

    def read(self, block: list[Line]) -> None:
        index = 0
        while index < len(block):
            line = block[index]
            if line.blank:
                index += 1
                continue
            if label_of(line):
                index = self.reader.section_label(self.section, block, index, self.subgroup)
                continue
            self.section.chat.append(self.chat_line(line.text.strip()))
            index += 1

    @staticmethod
    def chat_line(text: str) -> ParsedChatLine:
        for pattern in CHAT_LINE:
            match = pattern.match(text)
            if match and match.group("text").strip():
                speaker = match.group("speaker").strip()
                said_at = (match.groupdict().get("time") or "").strip()
                if len(speaker) <= MAX_NAME and len(said_at) <= 20 and not T.URL.match(text):
                    return ParsedChatLine(
                        text=match.group("text").strip(), speaker=speaker, said_at=said_at
                    )
        return ParsedChatLine(text=text)
