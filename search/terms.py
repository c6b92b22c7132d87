"""How text becomes search terms, the same way for the index and the query,
on PostgreSQL and SQLite alike.

Chinese has no spaces, and members search for one or two characters as
often as for words (`位置编码`, `羡鱼`, `长度外推`), so a run of Han (or kana,
or hangul) is indexed as each character and each pair of neighbours: `位置编码`
gives 位 置 编 码 位置 置编 编码, and a query of any length is the pairs it
contains (or its one character), all of which must be there. Latin letters
and digits make words (`LoRA` → lora, `C-Eval` → c eval, `7B` → 7b, a URL → its
words), a query's words matching whole, but for the word that ends it, which may
be the beginning of one (the member may still be typing it; and a prefix of
every word would cost the index a merge of every term it begins: `com`, `p`
in a URL). Neither engine's own parser is
involved: both receive the same terms, so both find the same rows.

The phrase rank compares the runs themselves, in order (`flat`): a query
holds as a phrase where its runs follow one another in the text, whatever
the case, the width (`ＬｏＲＡ`) or the spaces and punctuation between them
(`C-Eval` is `c eval`, `lora融合` is `lora 融合`).
"""

import re
import unicodedata

# Han (with extensions and compatibility ideographs), kana, hangul. Not the
# kana block's marks and punctuation (U+3099-309C, U+30A0, U+30FB ・): SQLite's
# FTS5 tokenizer takes them for separators, so a term holding one would match
# on PostgreSQL only (tests/search/test_terms.py).
_CJK = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u3098\u309d-\u309f"
    "\u30a1-\u30fa\u30fc-\u30ff\uac00-\ud7af"
)
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


def flat(text: str) -> str:
    """The runs of `text` in order, a space before each: where the phrase
    rank looks for a query's `phrase`."""
    return "".join(f" {run}" for run in RUN.findall(normalized(text)))


class Query:
    """A member's query as terms: `cjk` and `words` must all be in a row's
    terms, and `prefix` (the word that ends the query, if one does) must
    begin one of them."""

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
        # What highlighting looks for in the text.
        self.pieces = list(RUN.findall(normalized(self.text)))
        ends_in_word = bool(self.pieces) and not _is_cjk(self.pieces[-1])
        self.cjk = list(dict.fromkeys(cjk))
        self.words = list(dict.fromkeys(words[:-1] if ends_in_word else words))
        last = words[-1] if ends_in_word else ""
        self.prefix = last if last not in self.words else ""
        # What the phrase rank looks for in `flat(text)`: a word begins after
        # a space, a Han run may begin anywhere in one; the last word may be
        # the beginning of one, as in the terms.
        joined = " ".join(self.pieces)
        self.phrase = f" {joined}" if self.pieces and not _is_cjk(self.pieces[0]) else joined
        # One word, or one or two Han: the terms ask all the phrase does
        # (a run that begins so; the characters side by side), so every row
        # they match holds the phrase.
        self.terms_are_phrase = len(self.pieces) == 1 and (
            not _is_cjk(self.pieces[0]) or len(self.pieces[0]) <= 2
        )

    def __bool__(self) -> bool:
        return bool(self.cjk or self.words or self.prefix)

    @property
    def several_terms(self) -> bool:
        return len(self.cjk) + len(self.words) + bool(self.prefix) > 1

    def tsquery(self) -> str:
        """PostgreSQL's form (cast with ::tsquery, no parser in between)."""
        parts = [f"'{term}'" for term in (*self.cjk, *self.words)]
        if self.prefix:
            parts.append(f"'{self.prefix}':*")
        return " & ".join(parts)

    def fts5(self) -> str:
        """SQLite FTS5's form."""
        parts = [f'"{term}"' for term in (*self.cjk, *self.words)]
        if self.prefix:
            parts.append(f'"{self.prefix}"*')
        return " AND ".join(parts)
