"""The reader of Free Talk (`FreeTalkReader`): questions, answers, replies."""

import re

from sections import record as words

from .. import text as T
from ..text import Line
from .common import (
    NAME,
    NUMBERED,
    BlockReader,
    attribution,
    is_name,
    label_of,
    subgroup_of,
)
from .parsed import ParsedAnswer, ParsedQuestion

Q_LABEL = re.compile(r"^Q\s*(?P<n>\d{1,6})\s*[:：]\s*(?P<text>.*)$", re.IGNORECASE)
A_LABEL = re.compile(
    r"^(?:A\s*\d{0,6}|答)\s*[:：]\s*(?P<text>.*)$|^[（(]\s*A\s*\d{0,6}\s*[:：]\s*(?P<paren>.*)$"
)
SUB_ANSWER = re.compile(r"^(?P<letter>[a-z])\s*[.．]\s*(?P<text>\S.*)$")
ALONE_ATTRIBUTION = re.compile(rf"^(?:--|－－|——|—|-\s*from\s+|-)\s*(?P<name>{NAME})\s*[；;]?$")
# "--上期遗留", or "--上期遗留（007）" as the desk writes it (the earlier issue).
CARRIED_OVER = re.compile(
    rf"\s*(?:--|——|—|-)\s*{words.CARRIED_OVER}(?:[（(][A-Za-z0-9-]{{1,40}}[）)])?\s*$"
)


class FreeTalkReader(BlockReader):
    """Questions with their answers, in the shapes the corpus uses.

    "Q3：…—yuhan" or a numbered line opens a question; "A3：", "答：", "（A: …）"
    and "a. …" open an answer. Lines between a question and its first answer
    marker belong to the question; with no marker at all they answer it. A
    paragraph that ends with a name closes that person's answer, and text after
    it is another answer. A signed question after an answer replies to it.
    """

    def __init__(self, reader, section):
        super().__init__(reader, section)
        self.question: ParsedQuestion | None = None
        self.question_lines: list[str] = []
        self.before_answer: list[str] = []
        self.answer: ParsedAnswer | None = None
        self.answer_lines: list[str] = []
        self.paren = False  # the answer opened with "（A:" and closes its bracket
        self.last_answer: ParsedAnswer | None = None
        self.reply_lines: list[str] | None = None
        self.reply_target: ParsedAnswer | None = None
        self.note_lines: list[str] = []
        self.last_number = 0
        self.labelled = False

    def read(self, block: list[Line]) -> None:
        block = self.undangle(block)
        # Where questions carry "Q1：" labels, numbered lines are answers' lists.
        self.labelled = any(Q_LABEL.match(line.text.strip()) for line in block if not line.code)
        self.walk(block)
        self.end_reply()
        self.close_question()
        self.flush_note()

    @staticmethod
    def undangle(block: list[Line]) -> list[Line]:
        """ "…即 packed。-" then, after a blank line, "qingwang": one signature."""
        out: list[Line] = []
        skip: set[int] = set()
        for index, line in enumerate(block):
            if index in skip:
                continue
            text = line.text.rstrip()
            if text.endswith(("-", "—")) and not text.endswith("--") and not line.code:
                probe = index + 1
                while probe < len(block) and block[probe].blank and probe - index <= 2:
                    probe += 1
                name = block[probe].text.strip() if probe < len(block) else ""
                if name and re.fullmatch(NAME, name) and not Q_LABEL.match(name):
                    # The signature ends its paragraph.
                    out += [Line(f"{text}{name}"), Line("")]
                    skip.update(range(index + 1, probe + 1))
                    continue
            out.append(line)
        return out

    def step(self, block: list[Line], index: int) -> int:
        line = block[index]
        stripped = line.text.strip()
        if line.quote and self.quote(stripped):
            return index + 1
        self.end_reply()
        if line.blank:
            self.blank()
            return index + 1
        if label_of(line) and not line.bullet:
            self.close_question()
            self.flush_note()
            return self.reader.section_label(self.section, block, index, self.subgroup)
        if name := subgroup_of(line):
            self.close_question()
            self.flush_note()
            self.use_subgroup(name)
            self.last_number = 0
            return index + 1
        if line.heading:
            self.close_question()
            self.flush_note()
            self.section.note(stripped, self.subgroup)
            return index + 1
        end = self.code_run(block, index)
        if end > index:
            code, language = self.code_text(block, index, end)
            fence = "~~~" if "```" in code else "```"
            self.add_text(f"{fence}{language}\n{code}\n{fence}", code=True)
            return end
        if match := Q_LABEL.match(stripped):
            self.open_question(match.group("text").strip())
            return index + 1
        numbered = None if self.labelled else NUMBERED.match(stripped)
        if numbered and self.in_sequence(int(numbered.group("n"))):
            self.last_number = int(numbered.group("n"))
            text = numbered.group("text").strip()
            if text:
                self.open_question(text)
            else:
                self.close_question()  # an empty slot such as "8."
            return index + 1
        following = block[index + 1] if index + 1 < len(block) else None
        ends_paragraph = following is None or following.blank
        if self.question is not None:
            if match := A_LABEL.match(stripped):
                self.question.answer_line = True
                paren = match.group("paren") is not None
                self.open_answer((match.group("paren") if paren else match.group("text")).strip())
                self.paren = paren
                if ends_paragraph:
                    self.sign_off()
                return index + 1
            if match := SUB_ANSWER.match(stripped):
                self.open_answer(match.group("text").strip())
                return index + 1
            alone = ALONE_ATTRIBUTION.match(stripped)
            if alone and self.credit(alone.group("name")):
                return index + 1
            if self.reply(stripped, block, index):
                return index + 1
        self.add_text(stripped, ends_paragraph=ends_paragraph)
        return index + 1

    def in_sequence(self, number: int) -> bool:
        return self.last_number == 0 or number == self.last_number + 1

    # Questions

    def open_question(self, text: str) -> None:
        self.close_question()
        self.flush_note()
        self.question = ParsedQuestion(body="", subgroup=self.subgroup)
        self.question_lines = [text] if text else []

    def close_question(self) -> None:
        question = self.question
        if question is None:
            return
        self.close_answer()
        if self.before_answer:
            if self.question_lines:
                # Lines under a question that no answer marker follows answer it.
                question.answers.append(self.signed(self.before_answer))
            else:
                self.question_lines = self.before_answer
            self.before_answer = []
        body = "\n".join(self.question_lines).strip("\n")
        carried = CARRIED_OVER.search(body)
        if carried and T.letters_and_digits(body[: carried.start()]):
            # The exports write the marker from the flag. The desk's "（007）"
            # goes with it: an imported question has no earlier one to link to.
            body, question.carried_over = body[: carried.start()], True
        if not question.author:
            body, question.author = attribution(body)
        question.body = body
        if question.body or question.answers:
            self.section.questions.append(question)
        self.question, self.question_lines = None, []
        self.last_answer = None

    def credit(self, name: str) -> bool:
        """A name alone on its line: whoever wrote what is just above it."""
        name = name.strip()
        if not is_name(name):
            return False
        if self.answer is not None:
            if self.answer.author or not self.answer_lines:
                return False
            self.answer.author = name
            self.close_answer()
            return True
        if not self.question.answers and not self.question.author:
            self.question.author = name
            return True
        return False

    # Answers

    def open_answer(self, text: str) -> None:
        self.close_answer()
        if not self.question.answers and self.before_answer:
            self.question_lines += self.before_answer
            self.before_answer = []
        self.answer = ParsedAnswer(body="")
        self.answer_lines = [text] if text else []

    def close_answer(self) -> None:
        answer = self.answer
        if answer is None:
            return
        body = "\n".join(self.answer_lines).strip("\n")
        self.answer, self.answer_lines = None, []
        if self.paren and body.endswith(("）", ")")):
            body = body[:-1].rstrip()
        self.paren = False
        if body.endswith(words.ACCEPTED):
            body, answer.accepted = body[: -len(words.ACCEPTED)].rstrip(), True
        if body and not answer.author:
            body, answer.author = attribution(body)
        answer.body = body
        if body or answer.replies:
            self.question.answers.append(answer)
            self.last_answer = answer

    @staticmethod
    def signed(lines: list[str]) -> ParsedAnswer:
        body, author = attribution("\n".join(lines).strip("\n"))
        return ParsedAnswer(body=body, author=author)

    # Replies

    def reply(self, stripped: str, block: list[Line], index: int) -> bool:
        """After an answer and a blank line, a question signed by someone is
        their reply to that answer: "那么…如何…？-yuhan"."""
        if not block[index - 1].blank or (self.answer is None and self.last_answer is None):
            return False
        rest, name = attribution(stripped)
        if not name or not rest.endswith(("？", "?")):
            return False
        self.close_answer()
        if self.last_answer is None:
            return False
        self.last_answer.replies.append(ParsedAnswer(body=rest, author=name))
        return True

    def quote(self, stripped: str) -> bool:
        """A Markdown quote under an answer: a reply to it (the desk's export)."""
        if self.reply_lines is None:
            target = self.answer or self.last_answer
            if target is None:
                return False
            self.reply_target, self.reply_lines = target, []
        self.reply_lines.append(stripped)
        return True

    def end_reply(self) -> None:
        if self.reply_lines is None:
            return
        body, author = attribution("\n".join(self.reply_lines).strip("\n"))
        if body:
            self.reply_target.replies.append(ParsedAnswer(body=body, author=author))
        self.reply_lines = None

    # Text

    def blank(self) -> None:
        if self.answer is not None:
            if self.answer_lines and self.answer_lines[-1]:
                self.answer_lines.append("")
        elif self.question is not None and not self.note_lines:
            if self.before_answer and self.before_answer[-1]:
                self.before_answer.append("")
        else:
            self.flush_note()

    def add_text(self, text: str, *, code: bool = False, ends_paragraph: bool = False) -> None:
        closed = self.question is not None and self.answer is None and self.question.answers
        if self.question is None or (closed and self.labelled):
            # Where answers carry labels (A3：), text after a closed one
            # answers nothing: it is not another answer.
            self.note_lines.append(text)
            return
        if closed:
            self.answer, self.answer_lines = ParsedAnswer(body=""), []
        if self.answer is not None:
            lines = self.answer_lines
            if lines and lines[-1] and not code and self.wraps(text):
                lines[-1] = T.join_wrapped(lines[-1], text)
            else:
                lines.append(text)
            if ends_paragraph and not code:
                self.sign_off()
            return
        lines = self.before_answer or self.question_lines
        if lines and lines[-1] and not code and self.wraps(text):
            lines[-1] = T.join_wrapped(lines[-1], text)
        else:
            self.before_answer.append(text)

    def sign_off(self) -> None:
        """A paragraph that ends with a name closes that person's answer."""
        lines = self.answer_lines
        rest, name = attribution(lines[-1]) if lines else ("", "")
        if name and not self.answer.author:
            lines[-1] = rest
            self.answer.author = name
            self.close_answer()

    def flush_note(self) -> None:
        if self.note_lines:
            self.section.note("\n".join(self.note_lines), self.subgroup)
            self.note_lines = []
