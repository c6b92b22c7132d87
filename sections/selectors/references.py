"""The references (参考资料): every link of the issue once, in record order."""

from ..links import normalize_url
from ..markup import links_in, safe_url
from .numbering import group
from .views import ItemView, QuestionView, Reference, SectionView


def references(sections: list[SectionView]) -> list[Reference]:
    """Every link of the issue once, in the order the record shows them (the
    page and the exports): per section its nominations and suggestions, then
    each sub-group's entries and questions, then its chat. Two links to the
    same page (the keys `normalize_url` gives, as the duplicate-link check
    uses) are one reference: the first, named by the first title given."""
    found: dict[str, Reference] = {}

    def add(url: str, title: str = "") -> None:
        url = safe_url(url)
        if not url:
            return
        key = normalize_url(url) or url
        if key not in found:
            found[key] = Reference(title=title or url, url=url)
        elif title and found[key].title == found[key].url:
            found[key].title = title

    for section in sections:
        for entry in _record_order(section):
            if isinstance(entry, ItemView):
                item = entry.row
                add(item.url, item.title)
                texts = [item.title, item.body, item.points]
            else:
                question = entry.row
                texts = [question.body, *(answer.body for answer in question.answers.all())]
            for text in texts:
                for url in links_in(text):
                    add(url)
        for line in section.row.chat_lines.all():
            for url in links_in(line.text):
                add(url)
    return list(found.values())


def _record_order(section: SectionView) -> list[ItemView | QuestionView]:
    """A section's items and questions as the record lists them: the areas
    first, then per sub-group its entries (or an import's notes) before its
    questions, in the exports' order of sub-groups; questions as numbered."""
    subgroups = section.row.subgroups
    body = [entry for g in section.groups for entry in g.entries]
    asked = {g.name: g.entries for g in group(section.numbered_questions, subgroups)}
    rows: list[ItemView | QuestionView] = [*section.nominations, *section.suggestions]
    for g in group(body, [*subgroups, *asked]):
        rows += g.entries + asked.get(g.name, [])
    return rows
