"""Link keys (sections.links.normalize_url): real links as members paste
them, in pairs that must have one key and pairs that must not."""

import pytest

from sections.links import KEY_MAX, normalize_url

# The same page, shared twice. Most come from the corpus (talk/corpus/) or
# from the platforms' share buttons.
SAME = [
    # Scheme, www, trailing slash, fragment, default port.
    ("http://github.com/InternLM/InternLM", "https://github.com/InternLM/InternLM/"),
    ("https://www.reddit.com/r/LocalLLaMA/", "https://reddit.com/r/LocalLLaMA"),
    ("https://2023.baai.ac.cn/", "https://2023.baai.ac.cn:443#agenda"),
    (
        "https://huggingface.co/spaces/facebook/MusicGen",
        "HTTPS://HuggingFace.co/spaces/facebook/MusicGen",
    ),
    ("huggingface.co/blog/falcon", "https://huggingface.co/blog/falcon"),
    # Tracking parameters, sorted leftovers.
    (
        "https://huggingface.co/blog/llama2?utm_source=twitter&utm_medium=social",
        "https://huggingface.co/blog/llama2",
    ),
    ("https://example.com/search?b=2&a=1&ref=hn", "https://example.com/search?a=1&b=2"),
    ("https://example.com/a?fbclid=IwAR0abc&gclid=Cj0K", "https://example.com/a"),
    # arXiv: abstract, PDF, HTML, versions, the export mirror.
    ("https://arxiv.org/abs/2307.09288v2", "https://arxiv.org/abs/2307.09288"),
    ("https://arxiv.org/pdf/2307.09288.pdf", "https://arxiv.org/abs/2307.09288"),
    ("https://arxiv.org/pdf/2307.09288v1", "https://arxiv.org/abs/2307.09288v2"),
    ("https://arxiv.org/html/2307.09288v2/", "http://www.arxiv.org/abs/2307.09288"),
    ("https://export.arxiv.org/pdf/2306.03341v2.pdf", "https://arxiv.org/abs/2306.03341"),
    ("https://arxiv.org/abs/hep-th/9901001v3", "https://arxiv.org/pdf/hep-th/9901001"),
    # zhihu: share parameters, the mobile host, its redirect to outside links.
    (
        "https://www.zhihu.com/question/600945415/answer/3058758758"
        "?utm_psn=1670013352357040128&utm_source=wechat_session&utm_medium=social&utm_oi=56",
        "https://www.zhihu.com/question/600945415/answer/3058758758",
    ),
    (
        "https://m.zhihu.com/question/608894843?share_code=1dMOh7QxBU4kS",
        "https://www.zhihu.com/question/608894843/",
    ),
    ("https://zhuanlan.zhihu.com/p/640522290?utm_id=0", "https://zhuanlan.zhihu.com/p/640522290"),
    (
        "https://link.zhihu.com/?target=https%3A//github.com/LC1332/Chat-Haruhi-Suzumiya",
        "https://github.com/LC1332/Chat-Haruhi-Suzumiya",
    ),
    # WeChat: the short form keeps its id; the long form its four parameters.
    (
        "https://mp.weixin.qq.com/s/toGgyi4fHvDuPt8JHVC6zA?poc_token=HGx1m2WjFAKE",
        "http://mp.weixin.qq.com/s/toGgyi4fHvDuPt8JHVC6zA#rd",
    ),
    (
        "https://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&mid=2650889888&idx=1"
        "&sn=1fb6b1fbd1e64cbbb0e3dfaa4ed0c0b2&chksm=84e4f0ddb39379cb&scene=21#wechat_redirect",
        "https://mp.weixin.qq.com/s?sn=1fb6b1fbd1e64cbbb0e3dfaa4ed0c0b2&idx=1&mid=2650889888"
        "&__biz=MzA3MzI4MjgzMw%3D%3D",
    ),
    # bilibili: the app's share parameters, the mobile host, the start time.
    (
        "https://m.bilibili.com/video/BV1zM4y1j7zt?buvid=Z048450D293B33244152B5D5EE88703A440B"
        "&is_story_h5=false&mid=89dsuzXgkP558Jr%2FdLF4Iw%3D%3D&p=1&plat_id=114&share_from=ugc"
        "&share_medium=iphone&share_plat=ios&share_session_id=CA185D3A-4040-4495-AAD3D00AE55E9314"
        "&share_source=WEIXIN&share_tag=s_i&timestamp=1688803945&unique_k=2Z19cPm&up_id=503316308",
        "https://www.bilibili.com/video/BV1zM4y1j7zt/",
    ),
    (
        "https://www.bilibili.com/video/BV1Kh4y1E7nX/?share_source=copy_web"
        "&vd_source=9e7882f0ef2735e23d66a6f128612943&t=610",
        "https://www.bilibili.com/video/BV1Kh4y1E7nX",
    ),
    (
        "https://www.bilibili.com/video/BV1Xk4y1P7Yj/?spm_id_from=333.337.search-card.all.click",
        "https://www.bilibili.com/video/BV1Xk4y1P7Yj",
    ),
    # xiaohongshu's and weibo's share parameters.
    (
        "https://www.xiaohongshu.com/discovery/item/64c5f1980000000017019463?app_platform=android"
        "&app_version=7.96.1&author_share=2&share_from_user_hidden=true&type=normal"
        "&xhsshare=WeixinSession&appuid=61eab616000000000201974a&apptime=1690695042",
        "https://www.xiaohongshu.com/discovery/item/64c5f1980000000017019463",
    ),
    (
        "https://m.weibo.cn/status/4925384858325522?sourceType=weixin&from=10D7195010&wm=9006_2001",
        "https://m.weibo.cn/status/4925384858325522",
    ),
    # YouTube: the short host, the share id, the start time; twitter is x.
    (
        "https://youtu.be/dQw4w9WgXcQ?si=B0gM0vXfPXlq2N6c",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    (
        "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42s&feature=share",
        "https://youtube.com/watch?v=dQw4w9WgXcQ",
    ),
    ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ"),
    (
        "https://mobile.twitter.com/karpathy/status/1681667444895539202?s=20&t=abc",
        "https://x.com/karpathy/status/1681667444895539202",
    ),
    # GitHub ignores the case of owner and repository; the readme tab is the page.
    (
        "https://github.com/ymcui/Chinese-LLaMA-Alpaca-2",
        "https://github.com/YMCUI/chinese-llama-alpaca-2?tab=readme-ov-file",
    ),
    # One spelling for the same characters.
    (
        "https://zh.wikipedia.org/wiki/注意力机制",
        "https://zh.wikipedia.org/wiki/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6",
    ),
]

# Different pages that a careless key would fold together.
DIFFERENT = [
    ("https://arxiv.org/abs/2307.09288", "https://arxiv.org/abs/2307.09289"),
    ("https://arxiv.org/abs/2307.09288", "https://arxiv.org/abs/2307.0928"),
    (
        "https://www.zhihu.com/question/600945415/answer/3058758758",
        "https://www.zhihu.com/question/600945415/answer/3058758759",
    ),
    (
        "https://www.zhihu.com/question/600945415/answer/3058758758",
        "https://www.zhihu.com/question/600945415",
    ),
    ("https://zhuanlan.zhihu.com/p/640522290", "https://www.zhihu.com/p/640522290"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=9bZkp7q3YqQ"),
    (
        "https://mp.weixin.qq.com/s/toGgyi4fHvDuPt8JHVC6zA",
        "https://mp.weixin.qq.com/s/toggyi4fhvdupt8jhvc6za",
    ),
    (
        "https://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&mid=2650889888&idx=1&sn=1fb6",
        "https://mp.weixin.qq.com/s?__biz=MzA3MzI4MjgzMw==&mid=2650889888&idx=2&sn=1fb6",
    ),
    (
        "https://www.bilibili.com/video/BV1zM4y1j7zt?p=2",
        "https://www.bilibili.com/video/BV1zM4y1j7zt",
    ),
    (
        "https://github.com/ymcui/Chinese-LLaMA-Alpaca-2",
        "https://github.com/ymcui/Chinese-LLaMA-Alpaca",
    ),
    (
        "https://github.com/huggingface/transformers/blob/main/README.md",
        "https://github.com/huggingface/transformers/blob/main/readme.md",
    ),
    (
        "https://github.com/ymcui/Chinese-LLaMA-Alpaca-2",
        "https://github.com/ymcui/Chinese-LLaMA-Alpaca-2.git",
    ),
    ("https://github.com/OpenLLMAI", "https://github.com/OpenLLMAI/OpenLLaMA2"),
    (
        "https://huggingface.co/meta-llama/Llama-2-7b",
        "https://huggingface.co/meta-llama/Llama-2-13b",
    ),
    ("https://example.com:8080/docs", "https://example.com/docs"),
    ("https://example.com/search?q=rope", "https://example.com/search?q=alibi"),
    ("https://example.com/#/models/qwen", "https://example.com/#/models/baichuan"),
    ("https://huggingface.co/papers/2307.09288", "https://arxiv.org/abs/2307.09288"),
]

NO_LINK = [
    "",
    "   ",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "mailto:someone@example.com",
    "ftp://example.com/file",
    "http://",
    "http://[::1",
    "https://example.com:port/",
    "https://exa mple.com/",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize(("one", "other"), SAME)
def test_it_gives_the_same_page_one_key(one, other):
    assert normalize_url(one) == normalize_url(other)
    assert normalize_url(one)


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_it_keeps_different_pages_apart(one, other):
    assert normalize_url(one) != normalize_url(other)


@pytest.mark.parametrize("text", NO_LINK)
def test_it_gives_no_key_to_what_is_no_link(text):
    assert normalize_url(text) == ""


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://arxiv.org/pdf/2307.09288v2.pdf", "arxiv.org/abs/2307.09288"),
        (
            "https://mp.weixin.qq.com/s/toGgyi4fHvDuPt8JHVC6zA?scene=1",
            "mp.weixin.qq.com/s/toGgyi4fHvDuPt8JHVC6zA",
        ),
        (
            "https://mp.weixin.qq.com/s?__biz=MzA3&mid=26&idx=1&sn=1f&chksm=84&scene=21",
            "mp.weixin.qq.com/s?__biz=MzA3&idx=1&mid=26&sn=1f",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube.com/watch?v=dQw4w9WgXcQ"),
        (
            "https://GitHub.com/OpenLLMAI/OpenLLaMA2/tree/main",
            "github.com/openllmai/openllama2/tree/main",
        ),
        ("http://www.example.com:80/a/b/?z=1&y=2#top", "example.com/a/b?y=2&z=1"),
        ("example.com:8080/x/", "example.com:8080/x"),
        ("https://www.example.com/", "example.com"),
    ],
)
def test_it_shapes_keys_as_documented(url, key):
    assert normalize_url(url) == key


def test_it_keeps_parameters_that_name_content():
    # bilibili's `mid` is the sharer; WeChat's is the article.
    assert "v=abc" in normalize_url("https://www.youtube.com/watch?v=abc&utm_source=x")
    assert "mid=2650889888" in normalize_url(
        "https://mp.weixin.qq.com/s?__biz=MzA3&mid=2650889888&idx=1&sn=1f"
    )
    assert normalize_url("https://example.com/item?mid=7&id=3") == "example.com/item?id=3&mid=7"


def test_it_keeps_a_search_engines_wechat_link_whole():
    # Without __biz and mid it names no article: its query is all there is.
    one = "https://mp.weixin.qq.com/s?src=11&timestamp=1690000000&signature=aaa"
    other = "https://mp.weixin.qq.com/s?src=11&timestamp=1690000000&signature=bbb"
    assert normalize_url(one) != normalize_url(other)


def test_it_fits_the_column():
    assert len(normalize_url("https://example.com/" + "a" * 3000)) == KEY_MAX
