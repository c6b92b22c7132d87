"""Importing the eight published issues (talk/corpus/): nothing is lost.

Each file is imported, and its content rendered as the Markdown export
(talk.snapshot.snapshot_build, then talk.exports.markdown.render) and the
JSON export. Measured on every file:

(a) every link of the source (joined again where the PDF wrapped it) is in
    the Markdown;
(b) every line of the source, reduced to its letters and digits, is in the
    Markdown reduced the same way (lines may have been joined, so each
    line's reduction is looked for in the whole);
(c) every question of Free Talk ("Q3：…", numbered ones under 线上讨论 and
    群里讨论) is a question of the JSON export;
(d) the number is the title line's and the meeting time is 【时间】's.

(b) has to allow for what the desk writes in its own words, each by a rule
below (EXPORT_WORDING); a line none of them explains fails the test.

Then: no title is cut to credit someone, 001's "--上期遗留" question is
carried over, and 003 comes back the same from its own Markdown export.
"""

import datetime
import json
import re
import unicodedata
import zoneinfo
from pathlib import Path

import pytest

import talk
from sections.models import Item, Question
from talk.exports import jsonfmt, markdown
from talk.importing import issue_import, parse_issue
from talk.snapshot import snapshot_build

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
CORPUS = Path(talk.__file__).parent / "corpus"
FILES = sorted(path.name for path in CORPUS.glob("openllm-talk-*.txt"))
# A question's, an answer's or a list item's own marker: the desk numbers
# them itself (Q1… across a section, A1 under Q1, lists 1. 2. …).
MARKER = re.compile(
    r"^[\s\uf06c\uf0a1]*(?:Q\s*\d+\s*[:：]|A\s*\d*\s*[:：]|答\s*[:：]|[（(]\s*A\s*[:：]|[a-z]\s*[.．]|"
    r"\d+\s*[.．、]|from-)"
)


def reduced(text: str) -> str:
    """Letters and digits only (Unicode categories L* and N*)."""
    return "".join(c for c in text if unicodedata.category(c)[0] in "LN")


def source_links(text: str) -> list[str]:
    """Every link of the source, with those the PDF wrapped joined again: a
    long line ending in a link, then a line of nothing but URL characters."""
    lines: list[str] = []
    for line in text.replace("\f", "").split("\n"):
        line = line.strip()
        if (
            lines
            and re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+", line)
            and "://" not in line
            and re.search(r"https?://\S+$", lines[-1])
            and len(lines[-1]) >= 60
        ):
            lines[-1] += line
        else:
            lines.append(line)
    found = re.findall(r"https?://[^\s，。；、（）【】《》<>\"']+", "\n".join(lines))
    return [link.rstrip(".,;:!?)") for link in found]


def free_talk_questions(text: str) -> list[str]:
    """The questions as the source writes them: "Q3：…" lines, and numbered
    lines under 线上讨论 / 群里讨论 (without their marker)."""
    questions, in_free_talk, grouped = [], False, False
    for line in text.replace("\f", "").split("\n"):
        line = line.strip()
        if line == "Free Talk":
            in_free_talk = True
        elif line in ("参考资料", "聊天区", "聊天区："):
            in_free_talk = False
        if not in_free_talk:
            continue
        if re.fullmatch(r"(线上讨论|群里讨论)\s*[:：]", line):
            grouped = True
        if (match := re.match(r"^Q\d+\s*[:：]\s*(\S.*)$", line)) or (
            grouped and (match := re.match(r"^\d+\s*[.．、]\s*(\S.*)$", line))
        ):
            questions.append(match.group(1))
    return questions


def meeting_of(text: str) -> datetime.datetime:
    match = re.search(r"【时间】\s*[:：]?\s*\n?\s*[:：]?\s*(\d{4})(\d\d)(\d\d)\s*晚上(.)点", text)
    day = [int(match.group(i)) for i in (1, 2, 3)]
    return datetime.datetime(*day, {"九": 21, "十": 22}[match.group(4)], tzinfo=SHANGHAI)


EXPORT_WORDING = {
    # Q11 → Q7, 答： → A8：, a. → A1：, （A: → A2：, numbered lists.
    "marker": lambda line, ctx: reduced(MARKER.sub("", line)) in ctx["markdown"],
    # The budget is written "~10 分钟", the corpus wrote "共~10 分钟".
    "budget": lambda line, ctx: (
        bool(re.search(r"共\s*~?\s*\d*\s*(分钟)?\s*[；;]?$", line))
        and reduced(line.replace("共", "")) in ctx["markdown"]
    ),
    # "羡鱼（编辑）" among the contributors became the issue's editor.
    "editor": lambda line, ctx: (
        "（编辑）" in line and reduced(line.replace("（编辑）", "")) in ctx["markdown"]
    ),
}


@pytest.fixture
def imported(request, series):
    """One corpus file imported, with its Markdown and JSON exports."""
    text = (CORPUS / request.param).read_text(encoding="utf-8")
    issue = issue_import(series=series, text=text)
    snapshot = snapshot_build(issue)
    return {
        "name": request.param,
        "text": text,
        "issue": issue,
        "markdown": markdown.render(snapshot).decode(),
        "json": json.loads(jsonfmt.render(snapshot)),
    }


def test_the_corpus_is_there():
    assert len(FILES) == 8


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_keeps_every_link(imported):
    missing = [link for link in source_links(imported["text"]) if link not in imported["markdown"]]
    assert not missing


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_keeps_every_line(imported):
    context = {"markdown": reduced(imported["markdown"])}
    reworded: dict[str, list[str]] = {}
    lost = []
    for line in imported["text"].replace("\f", "").split("\n"):
        if not reduced(line) or reduced(line) in context["markdown"]:
            continue
        why = next((name for name, rule in EXPORT_WORDING.items() if rule(line, context)), None)
        if why is None:
            lost.append(line)
        else:
            reworded.setdefault(why, []).append(line)
    assert not lost, reworded


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_makes_every_question_a_question(imported):
    bodies = [reduced(question["body"]) for question in imported["json"]["questions"]]
    missing = [
        question
        for question in free_talk_questions(imported["text"])
        if not any(body.startswith(reduced(question)[:8]) for body in bodies)
    ]
    assert not missing


@pytest.mark.parametrize("imported", FILES, indirect=True)
def test_it_reads_the_number_and_the_meeting_time(imported):
    issue = imported["issue"]
    assert issue.number == int(imported["name"][-7:-4])
    assert issue.code == str(issue.number)
    assert issue.meeting_at == meeting_of(imported["text"])
    assert imported["json"]["number"] == issue.number
    assert issue.status == "draft"


def test_it_cuts_no_title_to_credit_someone():
    """No entry of the published issues is signed, though their titles hold
    dashes ("GLM-130B", "… - 羡鱼智能的文章 - 知乎", "DPO——RLHF 的替代之…",
    "知乎--强烈推荐"): a name read off one would be a piece of its title."""
    signed = [
        (name, item.title, item.author)
        for name in FILES
        for section in parse_issue((CORPUS / name).read_text(encoding="utf-8")).sections
        for item in section.items
        if item.author
    ]
    assert not signed


@pytest.mark.parametrize("imported", ["openllm-talk-001.txt"], indirect=True)
def test_it_carries_over_the_question_marked_so(imported):
    carried = [question for question in imported["json"]["questions"] if question["carried_over"]]
    assert [question["number"] for question in carried] == [1]
    assert carried[0]["body"].endswith("在语言模型中主要是用于优化。")
    assert carried[0]["carried_from"] is None
    # The export writes the marker from the flag: once.
    assert "主要是用于优化。 --上期遗留\n" in imported["markdown"]
    assert imported["markdown"].count("上期遗留") == 1


def contents(issue) -> tuple[list, list]:
    """Its questions with their answers, and its entries, as text."""
    questions = (
        Question.objects.filter(section__issue=issue)
        .select_related("section")
        .prefetch_related("answers")
        .order_by("section__position", "position")
    )
    # The export writes the record (【编号】…) into the preface and every link
    # of the issue under 参考资料: they come back as more notes and entries.
    # An entry's kind is left out: of a loose list under 【建议区】 or 【提名区】,
    # the entries after the first come back as plain entries.
    items = (
        Item.objects.filter(section__issue=issue)
        .exclude(section__key__in=("preface", "references"))
        .select_related("section")
        .order_by("section__position", "position")
    )
    return [
        (
            q.section.key,
            q.subgroup,
            q.body,
            q.author_name,
            q.carried_over,
            [(a.body, a.author_name, a.accepted) for a in q.answers.all()],
        )
        for q in questions
    ], [
        (i.section.key, i.subgroup, i.title, i.url, i.body, i.points, i.code, i.author_name)
        for i in items
    ]


@pytest.mark.parametrize("imported", ["openllm-talk-003.txt"], indirect=True)
def test_it_reads_its_own_markdown_export_again(series, imported):
    # 本周实践's snippet is exported as a list item that opens with its fence.
    assert "\n1. ```python\n" in imported["markdown"]
    again = issue_import(
        series=series, text=imported["markdown"].replace("# OpenLLM Talk 003", "# OpenLLM Talk 103")
    )
    assert again.number == 103
    questions, items = contents(imported["issue"])
    assert len(questions) == 6
    assert contents(again) == (questions, items)
