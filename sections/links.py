"""The key of a link: the same page shared twice has the same key.

Members paste links as their apps hand them over: with a share code, a
tracking tag, the mobile host, the PDF instead of the abstract. The desk
stores `normalize_url(item.url)` as `Item.url_key` (indexed) and compares
keys, never the links as typed.

A key is not a link to click. Its shape is `host[:port][/path][?query]`:

- no scheme (http and https are the same page), no user or password, no
  fragment (except `#/…` and `#!…` routes, which name a page);
- the host in lower case, without a leading `www.`, `m.` or `mobile.`
  (m.zhihu.com is zhihu.com; zhuanlan.zhihu.com stays itself), without a
  default port (80, 443); twitter.com is x.com;
- the path percent-encoded one way, without a trailing slash;
- the query without tracking and share parameters (`TRACKING`, plus each
  platform's own in `SITE_TRACKING`) and without those that ask for what
  the page shows anyway (`DEFAULT_VIEWS`), the rest sorted.

Some sites get their own shape:

- arXiv: `arxiv.org/abs/<id>` for the abstract, the PDF and the HTML of any
  version (abs/2307.09288v2, pdf/2307.09288.pdf, html/2307.09288v1);
- WeChat articles: `mp.weixin.qq.com/s/<id>` with no query, or
  `mp.weixin.qq.com/s?__biz=…&idx=…&mid=…&sn=…` (the four parameters that
  name the article; chksm, scene and the rest are dropped; a link without
  `__biz` and `mid`, such as a search engine's temporary one, keeps its query);
- YouTube: `youtube.com/watch?v=<id>`, also for youtu.be/<id>, /shorts/<id>
  and /embed/<id>, without the playlist or the start time;
- GitHub: owner and repository in lower case (GitHub ignores their case);
  anything after them is kept as it is (`.git`, `/tree/main` are other keys);
- zhihu's redirect `link.zhihu.com/?target=<link>` has the key of its target.

Anything that is not an http(s) link (empty, `javascript:…`, a host that
cannot be one) has the key "", which matches nothing.
"""

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

KEY_MAX = 2000  # Item.url_key's max_length
DIGEST_LENGTH = 16

# Dropped everywhere: they say who shared a link and how, not what it is.
TRACKING = frozenset(
    {
        "ref",
        "ref_src",
        "ref_url",
        "spm",
        "spm_id_from",
        "share_source",
        "share_medium",
        "share_plat",
        "share_session_id",
        "share_tag",
        "share_code",
        "share_from",
        "vd_source",
        "from",
        "source",
        "fbclid",
        "gclid",
        "igshid",
        "mc_cid",
        "mc_eid",
    }
)
TRACKING_PREFIXES = ("utm_",)

# Dropped on one platform only: elsewhere the same name may name content
# (bilibili's `mid` is the sharer, WeChat's `mid` is the article).
SITE_TRACKING = {
    "zhihu.com": {"s_r", "zhida_source"},
    "zhuanlan.zhihu.com": {"s_r", "zhida_source"},
    # `t` is where playback starts: the same video.
    "bilibili.com": {
        "bbid",
        "buvid",
        "from_spmid",
        "is_story_h5",
        "mid",
        "plat_id",
        "spmid",
        "t",
        "timestamp",
        "ts",
        "unique_k",
        "up_id",
    },
    "weibo.com": {"featurecode", "jumpfrom", "lfid", "luicode", "sourcetype", "wm"},
    "weibo.cn": {"featurecode", "jumpfrom", "lfid", "luicode", "sourcetype", "wm"},
    "x.com": {"s", "t"},
    "xiaohongshu.com": {
        "app_platform",
        "app_version",
        "apptime",
        "appuid",
        "author_share",
        "share_from_user_hidden",
        "share_id",
        "type",
        "xhsshare",
        "xsec_source",
        "xsec_token",
    },
    "youtube.com": {"feature", "pp", "si"},
}

# Parameters that ask for what the page shows anyway.
DEFAULT_VIEWS = {
    ("bilibili.com", "p", "1"),  # the first part of a video is the video
    ("github.com", "tab", "readme-ov-file"),
}

FOLDED_PREFIXES = ("www.", "m.", "mobile.")
HOST_ALIASES = {"twitter.com": "x.com", "export.arxiv.org": "arxiv.org"}
DEFAULT_PORTS = {80, 443}

SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
HOST_RE = re.compile(r"^[\w\-]+(\.[\w\-]+)*$")
# New ids (2307.09288) and old ones (hep-th/9901001, math.GT/0309136).
ARXIV_RE = re.compile(
    r"^/(?:abs|pdf|html)/(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})"
    r"(?:v\d+)?(?:\.pdf)?/?$"
)
YOUTUBE_ID_RE = re.compile(r"^/(?:shorts|embed|live)/(?P<id>[\w\-]+)/?$")
WECHAT_ARTICLE = ("__biz", "mid", "idx", "sn")
PATH_SAFE = "/!$&'()*+,;=:@-._~"


def normalize_url(url: str) -> str:
    """The key of `url` (see the module's docstring); "" if it is no link."""
    url = (url or "").strip()
    if not url:
        return ""
    scheme = SCHEME_RE.match(url)
    if url.startswith("//"):
        url = "https:" + url
    elif scheme is None or _is_port(url, scheme):
        url = "https://" + url  # typed without a scheme: arxiv.org/abs/…
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    host = _host(parts.hostname or "")
    if parts.scheme.lower() not in ("http", "https") or not HOST_RE.match(host):
        return ""
    path = _path(parts.path)
    query = parse_qsl(parts.query, keep_blank_values=True)
    key = _site_key(host, path, query)
    if key is None:
        if port is not None and port not in DEFAULT_PORTS:
            host = f"{host}:{port}"
        key = host + path + _query(host, query)
        if parts.fragment.startswith(("/", "!")):
            key += "#" + parts.fragment
    return key[:KEY_MAX]


def _is_port(url: str, scheme: re.Match) -> bool:
    # "example.com:8080/x" looks like a scheme named "example.com".
    return url[scheme.end() :].split("/", 1)[0].isdigit()


def _host(host: str) -> str:
    host = host.lower().rstrip(".")
    folded = True
    while folded:
        folded = False
        for prefix in FOLDED_PREFIXES:
            # Only a subdomain is folded: m.com stays m.com.
            if host.startswith(prefix) and "." in host[len(prefix) :]:
                host, folded = host[len(prefix) :], True
    return HOST_ALIASES.get(host, host)


def _path(path: str) -> str:
    # One spelling for the same characters: 注意力 and %E6%B3%A8… are equal.
    return quote(unquote(path), safe=PATH_SAFE).rstrip("/")


def _query(host: str, pairs: list[tuple[str, str]]) -> str:
    site = SITE_TRACKING.get(host, set())
    kept = sorted(
        (name, value)
        for name, value in pairs
        if not _is_tracking(name.lower(), site) and (host, name, value) not in DEFAULT_VIEWS
    )
    return "?" + urlencode(kept, quote_via=quote) if kept else ""


def _is_tracking(name: str, site: set[str]) -> bool:
    return name in TRACKING or name in site or name.startswith(TRACKING_PREFIXES)


def _site_key(host: str, path: str, query: list[tuple[str, str]]) -> str | None:
    """The key of a link on a site with its own rules, or None."""
    if host == "link.zhihu.com" and (target := dict(query).get("target")):
        return normalize_url(target)  # zhihu's redirect to an outside link
    if host == "arxiv.org" and (match := ARXIV_RE.match(path)):
        return f"arxiv.org/abs/{match['id']}"
    if host == "mp.weixin.qq.com":
        if path.startswith("/s/") and path.count("/") == 2:
            return host + path
        names = {name for name, _value in query}
        if path == "/s" and {"__biz", "mid"} <= names:
            kept = sorted((n, v) for n, v in query if n in WECHAT_ARTICLE)
            return host + path + "?" + urlencode(kept, quote_via=quote)
    if host == "youtu.be" and path.count("/") == 1 and len(path) > 1:
        return _youtube(path[1:])
    if host == "youtube.com":
        if path == "/watch":
            video = dict(query).get("v", "")
            return _youtube(video) if video else None
        if match := YOUTUBE_ID_RE.match(path):
            return _youtube(match["id"])
    if host == "github.com":
        segments = path.split("/")
        return None if len(segments) < 3 else _github(host, segments, query)
    return None


def _youtube(video: str) -> str:
    return "youtube.com/watch?" + urlencode({"v": video}, quote_via=quote)


def _github(host: str, segments: list[str], query: list[tuple[str, str]]) -> str:
    # ["", owner, repo, …]: GitHub ignores the case of owner and repository.
    path = "/".join(["", segments[1].lower(), segments[2].lower(), *segments[3:]])
    return host + path + _query(host, query)


def key_digest(key: str) -> str:
    """A short stable name for a key, for addresses (a link's page): a key
    runs to 2000 characters and may hold "?", "#", "%" and "/../", which an
    address would have to quote and a browser would rewrite. The first
    DIGEST_LENGTH hex digits of its MD5, which a database computes too."""
    return hashlib.md5(key.encode(), usedforsecurity=False).hexdigest()[:DIGEST_LENGTH]
