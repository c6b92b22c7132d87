"""How text becomes search terms, the same way for the index and the query,
on PostgreSQL and SQLite alike.

Chinese has no spaces, and members search for one or two characters as
often as for words (`位置编码`, `羡鱼`, `长度外推`), so a run of Han (or kana,
or hangul) is indexed as each character and each pair of neighbours: `位置编码`
gives 位 置 编 码 位置 置编 编码, and a query of any length is the pairs it
contains (or its one character), all of which must be there. Latin letters
and digits make words (`LoRA` → lora, `C-Eval` → c eval, `7B` → 7b, a URL → its
words), a query's words matching as prefixes. Neither engine's own parser is
involved: both receive the same terms, so both find the same rows.
"""

import re
import unicodedata

# Han (with extensions and compatibility ideographs), kana, hangul.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
RUN = re.compile(rf"[{_CJK}]+|[a-z0-9]+")


def normalized(text: str) -> str:
    """Full-width letters and digits folded (NFKC), lower case."""
    return unicodedata.normalize("NFKC", text).casefold()


def _is_cjk(run: str) -> bool:
    return not run[0].isascii()


def index_terms(text: str) -> str:
    """The terms of `text`, space-separated, as the index stores them."""
    terms: list[str] = []
    for run in RUN.findall(normalized(text)):
        if _is_cjk(run):
            terms.extend(run)
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            terms.append(run)
    return " ".join(dict.fromkeys(terms))


class Query:
    """A member's query as terms: `cjk` must all be in a row's terms,
    `words` must each begin one of them."""

    def __init__(self, text: str) -> None:
        self.text = text.strip()
        cjk: list[str] = []
        words: list[str] = []
        for run in RUN.findall(normalized(self.text)):
            if _is_cjk(run):
                cjk.extend(
                    [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
                )
            else:
                words.append(run)
        self.cjk = list(dict.fromkeys(cjk))
        self.words = list(dict.fromkeys(words))
        # What highlighting and the phrase rank look for in the text.
        self.pieces = list(RUN.findall(normalized(self.text)))

    def __bool__(self) -> bool:
        return bool(self.cjk or self.words)

    def tsquery(self) -> str:
        """PostgreSQL's form (cast with ::tsquery, no parser in between)."""
        parts = [f"'{term}'" for term in self.cjk] + [f"'{word}':*" for word in self.words]
        return " & ".join(parts)

    def fts5(self) -> str:
        """SQLite FTS5's form."""
        parts = [f'"{term}"' for term in self.cjk] + [f'"{word}"*' for word in self.words]
        return " AND ".join(parts)
