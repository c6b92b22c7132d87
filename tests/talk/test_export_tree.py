"""The HTML export's page as data for the PDF's template (talk.exports.tree):
its text as a browser shows it, its links and lists, and nothing of what the
page might reference."""

from talk.exports.tree import characters, document_tree

PAGE = """<!doctype html><html lang="zh-Hans"><head><title>OpenLLM Talk 003</title>
<style>p { color: red }</style><link rel="stylesheet" href="http://example.com/a.css"></head>
<body><p>outside main</p><main>
<h1>OpenLLM   Talk
003</h1>
<ol class="entries" start="3">
  <li class="entry"><a class="entry-title" href="https://arxiv.org/abs/1">论文</a><br>
  <a class="url" href="https://arxiv.org/abs/1">https://arxiv.org/abs/1</a>
  <img src="file:///etc/passwd" alt="x"></li>
</ol>
<pre tabindex="0"><span class="k">def</span> f():
    <span class="k">return</span> 1 &lt;2</pre>
</main></body></html>"""


def test_it_keeps_the_main_of_the_page_as_a_browser_shows_it():
    tree = document_tree(PAGE)

    assert tree["title"] == "OpenLLM Talk 003"
    heading, entries, code = tree["body"]
    assert heading == {"t": "h1", "k": ["OpenLLM Talk 003"]}
    assert entries["t"] == "ol"
    assert entries["a"] == 3
    (entry,) = entries["k"]
    title, brk, url, space, image = entry["k"]
    assert title == {
        "t": "a",
        "c": "entry-title",
        "a": "https://arxiv.org/abs/1",
        "k": ["论文"],
    }
    assert (brk["t"], space) == ("br", " ")
    # The line after a break starts with its text, not the source's indent.
    assert url["k"] == ["https://arxiv.org/abs/1"]
    # An image is no text: nothing of it reaches the PDF but the element.
    assert image == {"t": "img", "k": []}
    # Code keeps its lines and indents, its highlighting dropped.
    assert code["k"] == ["def f():\n    return 1 <2"]


def text(nodes: list) -> str:
    return "".join(node if isinstance(node, str) else text(node["k"]) for node in nodes)


def test_only_web_and_mail_links_stay_links():
    page = (
        '<main><a href="javascript:alert(1)">a</a><a href="file:///etc/passwd">b</a>'
        '<a href="mailto:x@example.com">c</a><a href="https://example.com/">d</a></main>'
    )

    links = [node.get("a") for node in document_tree(page)["body"]]

    assert links == [None, None, "mailto:x@example.com", "https://example.com/"]


def test_nothing_outside_main_is_kept():
    tree = document_tree(PAGE)

    shown = text(tree["body"])
    assert "outside main" not in shown
    assert "color" not in shown
    assert characters(tree["body"]) == set(shown)
