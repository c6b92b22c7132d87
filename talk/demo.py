"""Demo data for `make run`: the series, people, an open draft issue, and
the community's published issues (corpus/) as the archive."""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from sections import events
from sections.links import normalize_url
from sections.models import Item, Question
from sections.services import answer_post

from .importing import issue_import
from .models import Issue, Series
from .schedule import next_meeting
from .seed import ensure_openllm_talk
from .services import issue_create, issue_freeze, issue_publish

DEMO_ISSUE_NUMBER = 8
CORPUS = Path(__file__).parent / "corpus"


@dataclass
class DemoAccount:
    alias: str
    password: str
    role: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "demo-admin-pass", "admin"),
    DemoAccount("羡鱼", "demo-host-pass", "host"),
    DemoAccount("初七", "demo-member-pass", "member"),
    DemoAccount("yuhan", "demo-member-pass", "member"),
]


def _account(spec: DemoAccount) -> User:
    user = User.objects.filter(alias=spec.alias).first()
    if user is None:
        user = User.objects.create_user(
            alias=spec.alias,
            password=spec.password,
            is_staff=spec.role == "admin",
            is_superuser=spec.role == "admin",
        )
    return user


@transaction.atomic
def load_demo() -> tuple[Issue, list[DemoAccount]]:
    series = ensure_openllm_talk()
    users = {spec.alias: _account(spec) for spec in DEMO_ACCOUNTS}
    issue = Issue.objects.filter(series=series, number=DEMO_ISSUE_NUMBER).first()
    if issue is None:
        issue = issue_create(
            series=series,
            by=None,
            number=DEMO_ISSUE_NUMBER,
            meeting_at=next_meeting(series, timezone.now()),
        )
        issue.host = users["羡鱼"]
        issue.save(update_fields=["host"])
        _fill(issue, users)
    _import_archive(series)
    return issue, DEMO_ACCOUNTS


def _import_archive(series: Series) -> None:
    """Issues 000–007 as the community published them: imported, frozen as
    their first revision (their files are rendered after the commit, by the
    worker or in-process) and published. A file whose issue is already there
    is skipped, so the demo can run again."""
    for path in sorted(CORPUS.glob("openllm-talk-*.txt")):
        # The file is named after its issue's number ("…-003.txt": issue 3).
        code = str(int(path.stem.rsplit("-", 1)[1]))
        if Issue.objects.filter(series=series, code=code).exists():
            continue
        issue = issue_import(series=series, text=path.read_text(encoding="utf-8"))
        issue_freeze(issue_id=issue.pk, user=None)
        issue_publish(issue_id=issue.pk, user=None)


def _fill(issue: Issue, users: dict[str, User]) -> None:
    sections = {section.key: section for section in issue.sections.all()}
    news, recommend, classic = sections["news"], sections["recommend"], sections["classic"]
    Item.objects.bulk_create(
        [
            Item(
                section=news,
                subgroup="学术",
                title="DeepSpeed-Chat: Easy, Fast and Affordable RLHF Training",
                url="https://arxiv.org/abs/2308.01320",
                url_key=normalize_url("https://arxiv.org/abs/2308.01320"),
                body="- 一键完成 SFT、RM、PPO 三阶段\n- 比现有系统快 15 倍以上",
                author=users["yuhan"],
                submitted_by=users["yuhan"],
                position=1,
            ),
            Item(
                section=news,
                subgroup="项目",
                title="中文 llama2",
                url="https://github.com/ymcui/Chinese-LLaMA-Alpaca-2",
                url_key=normalize_url("https://github.com/ymcui/Chinese-LLaMA-Alpaca-2"),
                author_name="群友",
                submitted_by=users["羡鱼"],
                position=2,
            ),
            Item(
                section=recommend,
                kind=Item.Kind.NOMINATION,
                title="RetNet",
                author=users["初七"],
                submitted_by=users["初七"],
                position=1,
            ),
            Item(
                section=classic,
                kind=Item.Kind.NOMINATION,
                title="量化",
                author=users["羡鱼"],
                submitted_by=users["羡鱼"],
                position=1,
            ),
        ]
    )
    free_talk = sections["free-talk"]
    question = Question.objects.create(
        section=free_talk,
        subgroup="线上讨论",
        body="llama-2-70b 用 8bit 量化部署，一秒一个 token，怎么提速？",
        author=users["初七"],
        submitted_by=users["初七"],
        position=1,
    )
    # Through the service, so 初七 finds it in the inbox.
    answer_post(
        question_id=question.pk,
        user=users["羡鱼"],
        body="两张卡做 pipeline 推理；也可以换 deepspeed 试试。",
    )
    Question.objects.create(
        section=free_talk,
        subgroup="群里讨论",
        body="llama2 的 license 问题？",
        author=users["yuhan"],
        submitted_by=users["yuhan"],
        position=2,
    )
    # Written past the services: what reads the issue whole (search) reads it again.
    events.announce(issue.pk, events.STATUS)
