"""Create an issue from its text: what `import_issue` and the upload page call."""

import datetime
import re
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_record
from sections import events
from sections.errors import DeskError
from sections.invisible import made_visible
from sections.links import normalize_url
from sections.models import Answer, ChatLine, Claim, Item, Question, Section, SectionKind, Vote
from sections.record import TEMPLATE_TITLES

from ..models import Issue, IssueStatus, Series
from ..seed import OPENLLM_TALK, ensure_openllm_talk
from ..services import issue_create
from .parse import ParsedIssue, ParsedSection, SeriesText, parse_issue

DEFAULT_SERIES = OPENLLM_TALK["slug"]
KINDS = {"free-talk": SectionKind.QUESTIONS, "chat": SectionKind.CHAT}
KINDS["references"] = SectionKind.REFERENCES
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# PostgreSQL cannot store it, and no text file holds one: a NUL says the
# file is binary, or UTF-16 that happened to decode.
NUL_REFUSED = _(
    "The text contains a NUL character (\\x00): it does not look like a text file. "
    "Save it as UTF-8 text and import it again."
)


class ImportRefused(DeskError):
    status = 409


class ImportExists(ImportRefused):
    """The number is taken: replacing it (a draft only) has to be asked for,
    with --replace on the command line or the box on the import page."""


def import_series(slug: str) -> Series:
    """The series to import into; the community's own is created if missing."""
    series = Series.objects.filter(slug=slug).first()
    if series is None and slug == DEFAULT_SERIES:
        series = ensure_openllm_talk()
    if series is None:
        raise ImportRefused(_("There is no series “%(slug)s”.") % {"slug": slug})
    return series


def _rows(parsed: ParsedIssue) -> int:
    """What the import would store, row by row: a runaway text (a log
    pasted whole) would otherwise make a draft no page can show."""

    def answers(found) -> int:
        return sum(1 + answers(answer.replies) for answer in found)

    return sum(
        len(section.items)
        + len(section.chat)
        + sum(1 + answers(question.answers) for question in section.questions)
        for section in parsed.sections
    )


def series_text(series: Series) -> SeriesText:
    return SeriesText(
        name=series.name,
        origin=series.origin,
        structure=series.structure,
    )


@transaction.atomic
def issue_import(*, series: Series, text: str, by=None, replace: bool = False) -> Issue:
    """Create the issue `text` describes, as a draft.

    An issue with the same number (or identifier) is replaced only when asked
    and only while it is a draft holding nothing members put in it: anything
    else stays as it was. `by` is None for the command line, else the admin
    who uploaded the text.
    """
    if "\x00" in text:
        raise ImportRefused(NUL_REFUSED)
    # Bidi and zero-width characters are written out where they stood, as
    # in what members type: they show instead of reordering the page.
    parsed = parse_issue(made_visible(text.removeprefix("\ufeff")), series_text(series))
    if not parsed.identified:
        raise ImportRefused(
            _(
                "No title line was found: the text should start with the series' name and the "
                "issue's number, such as “%(example)s”."
            )
            % {"example": f"{series.name} 003"}
        )
    if email := next(_emails(parsed), None):
        raise ImportRefused(
            _(
                "The text credits “%(name)s”, an email address: the issue and its files are "
                "public. Put a name or alias in its place and import again."
            )
            % {"name": email}
        )
    if (count := _rows(parsed)) > settings.IMPORT_MAX_ROWS:
        raise ImportRefused(
            _(
                "The text holds %(count)s entries, questions, answers and chat lines; an issue "
                "takes at most %(limit)s. Split it into several issues, or trim it."
            )
            % {"count": f"{count:,}", "limit": f"{settings.IMPORT_MAX_ROWS:,}"}
        )
    replaced = _clear_the_way(series, parsed, replace)
    issue = issue_create(
        series=series,
        by=by,
        number=parsed.number,
        special_label=parsed.special_label,
        code=parsed.code,
        meeting_at=_meeting_at(series, parsed),
    )
    issue.host_name = parsed.host_name
    issue.editor_name = parsed.editor_name
    issue.highlights = parsed.highlights
    issue.video_url = parsed.video_url
    issue.record_as_imported = [[label, text] for label, text in parsed.record]
    issue.save(
        update_fields=[
            "host_name",
            "editor_name",
            "highlights",
            "video_url",
            "record_as_imported",
            "updated_at",
        ]
    )
    _fill(issue, parsed)
    # The whole issue is new: whatever reads it whole (the search index) does.
    events.announce(issue.pk, events.STATUS)
    audit_record(
        actor=by,
        action="issue.import",
        target=issue,
        scope=f"{series.slug}/{issue.code}",
        after={"replaced": replaced},
    )
    return issue


def _emails(parsed: ParsedIssue):
    """Email addresses the issue would show: a name credited as one, or one
    written in the preface's labels, which the exports write as the text has them."""
    yield from (name for name in _names(parsed) if "@" in name)
    for _label, text in parsed.record:
        yield from EMAIL.findall(text)


def _names(parsed: ParsedIssue):
    """Every name the issue will show: its host and editor, contributors, and
    whoever is credited with an entry, a question, an answer or a chat line."""
    yield parsed.host_name
    yield parsed.editor_name
    for section in parsed.sections:
        yield from section.contributors
        yield from (item.author for item in section.items)
        yield from (line.speaker for line in section.chat)
        for question in section.questions:
            yield question.author
            answers = list(question.answers)
            while answers:
                answer = answers.pop()
                yield answer.author
                answers += answer.replies


def _clear_the_way(series: Series, parsed: ParsedIssue, replace: bool) -> bool:
    existing = Issue.objects.select_for_update().filter(series=series, code=parsed.code).first()
    if existing is None:
        return False
    if existing.status != IssueStatus.DRAFT:
        raise ImportRefused(
            _("%(title)s already exists and is %(status)s: only a draft can be replaced.")
            % {"title": existing.title, "status": existing.get_status_display().lower()}
        )
    if not replace:
        raise ImportExists(
            _("%(title)s already exists; replacing a draft has to be asked for.")
            % {"title": existing.title}
        )
    work = _members_work(existing)
    if any(work.values()):
        raise ImportRefused(
            _(
                "%(title)s holds members' work, which replacing it would delete (claimed "
                "sections: %(claims)s, host and editor roles: %(roles)s, items: %(items)s, "
                "questions: %(questions)s, answers: %(answers)s, votes: %(votes)s). Empty it "
                "first, then import again."
            )
            % {"title": existing.title, **work}
        )
    # Open pages of the draft fetch their page again, and get the new issue.
    events.announce(existing.pk, events.STATUS)
    existing.delete()
    return True


def _members_work(issue: Issue) -> dict[str, int]:
    """What members put in an issue, counted: an imported row has no
    submitter and is at its first version, a carried-over one has its origin."""
    by_member = Q(submitted_by__isnull=False) | Q(version__gt=1)
    carried = Q(carried_from__isnull=False)
    return {
        "claims": Claim.objects.filter(section__issue=issue).count(),
        "roles": (issue.host_id is not None) + (issue.editor_id is not None),
        "items": Item.objects.filter(by_member | carried, section__issue=issue).count(),
        "questions": Question.objects.filter(by_member | carried, section__issue=issue).count(),
        "answers": Answer.objects.filter(by_member, question__section__issue=issue).count(),
        "votes": Vote.objects.filter(question__section__issue=issue).count(),
    }


def _meeting_at(series: Series, parsed: ParsedIssue) -> datetime.datetime | None:
    if parsed.meeting_date is None:
        return None
    return datetime.datetime.combine(
        parsed.meeting_date,
        parsed.meeting_time or series.meeting_time,
        tzinfo=zoneinfo.ZoneInfo(series.meeting_time_zone),
    )


def _fill(issue: Issue, parsed: ParsedIssue) -> None:
    """Sections in the order the text has them; a template the text does
    not mention goes after the mentioned ones that come before it in the
    series' order."""
    copies = {section.key: section for section in issue.sections.all()}
    template_order = {key: position for position, key in enumerate(copies)}
    placed: list[tuple[float, Section]] = []
    for index, found in enumerate(parsed.sections):
        # A block the series has since made a template of (后续计划, once an
        # admin adds it) fills that template's copy: the key is the issue's once.
        section = copies.pop(found.key, None) or _extra(issue, found)
        _shape(section, found)
        placed.append((index, section))
    for key, section in copies.items():
        before = [
            index
            for index, other in placed
            if other.key in template_order and template_order[other.key] < template_order[key]
        ]
        after = [index for index, other in placed if other.key in template_order]
        if before:
            where = max(before) + 0.5
        elif after:
            where = min(after) - 0.5
        else:
            where = len(parsed.sections)
        placed.append((where + template_order[key] / 100, section))
    placed.sort(key=lambda pair: pair[0])
    for position, (_where, section) in enumerate(placed):
        section.position = position
        section.save()
    by_key = {section.key: section for _where, section in placed}
    for found in parsed.sections:
        _content(by_key[found.key], found)


def _extra(issue: Issue, found: ParsedSection) -> Section:
    """A block the series has no template for: 后续计划, 往期精彩… (or a
    template section the series lacks)."""
    return Section(
        issue=issue,
        key=found.key,
        title=found.title or TEMPLATE_TITLES.get(found.key, found.key),
        kind=KINDS.get(found.key, SectionKind.ITEMS),
        owner_cap=0,
        subgroups=[],
    )


def _shape(section: Section, found: ParsedSection) -> None:
    if found.description is not None:
        section.description = found.description
    if found.budget_wording:
        section.time_budget_minutes = found.budget
        section.time_budget_wording = found.budget_wording
    section.optional = section.optional or found.optional
    # The source's sub-groups, none if it had none: the template's would add
    # empty headings (### 线上讨论…) to a record that never had them.
    section.subgroups = found.subgroups
    section.contributor_names = found.contributors
    section.contributors_written = found.contributors_written
    if found.theme_label:
        section.theme_label, section.theme = found.theme_label, found.theme
    kinds = {item.kind for item in found.items}
    section.has_nominations = section.has_nominations or "nomination" in kinds
    section.has_suggestions = section.has_suggestions or "suggestion" in kinds


def _content(section: Section, found: ParsedSection) -> None:
    items = Item.objects.bulk_create(
        Item(
            section=section,
            kind=item.kind,
            subgroup=item.subgroup,
            title=item.title,
            url=item.url,
            url_key=normalize_url(item.url),
            body=item.body,
            points="\n".join(item.points),
            bulleted_points=item.bulleted_points,
            listed=item.listed,
            code=item.code,
            language=item.language,
            author_name=item.author,
            separator=item.separator,
            url_prefix=item.url_prefix,
            position=position,
        )
        for position, item in enumerate(found.items, start=1)
    )
    if section.theme:
        chosen = [i for i in items if i.kind == Item.Kind.NOMINATION and i.title == section.theme]
        if chosen:
            section.theme_item = chosen[0]
            section.save(update_fields=["theme_item"])
    questions = Question.objects.bulk_create(
        Question(
            section=section,
            subgroup=question.subgroup,
            body=question.body,
            author_name=question.author,
            answered=bool(question.answers),
            carried_over=question.carried_over,
            answer_line=question.answer_line,
            position=position,
        )
        for position, question in enumerate(found.questions, start=1)
    )
    answers = [
        (Answer(question=row, body=a.body, author_name=a.author, accepted=a.accepted), a)
        for row, question in zip(questions, found.questions, strict=True)
        for a in question.answers
    ]
    Answer.objects.bulk_create(answer for answer, _found in answers)
    Answer.objects.bulk_create(
        Answer(question=answer.question, parent=answer, body=r.body, author_name=r.author)
        for answer, found_answer in answers
        for r in found_answer.replies
    )
    ChatLine.objects.bulk_create(
        ChatLine(section=section, speaker_name=line.speaker, said_at=line.said_at, text=line.text)
        for line in found.chat
    )
