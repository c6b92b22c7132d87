"""search.terms: what both engines are given, and what the phrase rank compares."""

import sqlite3

from search.terms import RUN, Query, flat, index_terms


def test_it_indexes_han_as_characters_and_pairs_and_latin_as_words():
    assert index_terms("位置编码 LoRA，C-Eval 7B") == "位 置 编 码 位置 置编 编码 lora c eval 7b"


def test_it_asks_for_the_pairs_of_a_query_or_its_one_character():
    assert Query("长度外推").cjk == ["长度", "度外", "外推"]
    assert Query("鱼").cjk == ["鱼"]
    assert Query("ＬｏＲＡ 融合").words == ["lora"]


def test_only_the_word_that_ends_the_query_matches_as_a_prefix():
    url = Query("zhuanlan.zhihu.com/p/6405")
    assert (url.words, url.prefix) == (["zhuanlan", "zhihu", "com", "p"], "6405")
    assert url.tsquery() == "'zhuanlan' & 'zhihu' & 'com' & 'p' & '6405':*"
    assert url.fts5() == '"zhuanlan" AND "zhihu" AND "com" AND "p" AND "6405"*'
    assert Query("lora 融合").tsquery() == "'融合' & 'lora'"
    # Said whole earlier, the last word is whole.
    assert Query("lora x lora").tsquery() == "'lora' & 'x'"


def test_it_compares_phrases_folded_whatever_the_spacing_and_punctuation():
    assert flat("C-Eval；LoRA融合\nhttps://arxiv.org/abs/2308") == (
        " c eval lora 融合 https arxiv org abs 2308"
    )
    # A word begins after a space; Han may begin inside a run.
    assert Query("ｃ－ｅｖａｌ").phrase == " c eval"
    assert Query("编码与 lora").phrase == "编码与 lora"
    assert Query("lora融合").phrase in flat("LoRA 融合")


def test_the_terms_of_one_word_or_two_han_ask_all_the_phrase_does():
    assert [Query(q).terms_are_phrase for q in ("LoRA", "7B", "鱼", "羡鱼")] == [True] * 4
    # Three Han are three pairs, found apart; two words may be far apart.
    assert [Query(q).terms_are_phrase for q in ("位置编码", "C-Eval", "lora 融合")] == [False] * 3


def test_it_gives_fts5_no_term_its_tokenizer_would_split():
    """PostgreSQL takes the terms as they are; SQLite's FTS5 (unicode61) cuts
    them at what it deems separators. Every character of a CJK run must be a
    token character to it, or a term holding it matches on PostgreSQL only."""
    chars = [chr(c) for c in range(0x2E80, 0xFB00) if RUN.fullmatch(chr(c))]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(terms, tokenize='unicode61')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab('t', 'row')")
    db.executemany("INSERT INTO t (terms) VALUES (?)", [(ch,) for ch in chars])
    tokens = {term for (term,) in db.execute("SELECT term FROM v")}

    assert [f"U+{ord(ch):04X}" for ch in chars if ch not in tokens] == []
