"""The documents of the benchmark site: article pages and listings, as pure functions of a seed.

``page_bytes(spec, source, k, base)`` always returns the same bytes for the same arguments, so the
server (``bench.site``) and the benchmark that times bare trafilatura on the very pages a sync
fetched (``bench.run``) agree without sharing anything but the spec.
"""

from __future__ import annotations

import html
import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import lru_cache

from bench import texts

KINDS = ("rss", "atom", "sitemap", "html")
LISTING_FILES = {"rss": "rss.xml", "atom": "atom.xml", "sitemap": "sitemap.xml", "html": "latest"}
CONTENT_TYPES = {"rss": "application/rss+xml; charset=utf-8", "atom": "application/atom+xml",
                 "sitemap": "application/xml", "html": "text/html; charset=utf-8"}
COUNTRIES = ("VN", "VN", "VN", "LA", "KH", "VN", "CU", "VN")
EPOCH = datetime(2022, 1, 3, 6, 0, tzinfo=UTC)
MIN_PAGE, MODE_PAGE, MAX_PAGE = 30_000, 52_000, 120_000


@dataclass(frozen=True)
class SiteSpec:
    """The shape of a benchmark site."""

    sources: int = 20
    articles: int = 200  # per source, at first; also the length of every listing
    hosts: int = 0  # listening ports; 0: one per source
    seed: int = 1
    item_share: float = 0.1
    gzip: bool = True


@dataclass(frozen=True)
class Profile:
    name: str
    lang: str
    kind: str
    country: str


@dataclass(frozen=True)
class Meta:
    path: str
    title: str
    published: datetime
    lang: str
    is_item: bool
    section: int


def profile(spec: SiteSpec, index: int) -> Profile:
    lang = "vi" if index % 5 in (1, 3) else "en"
    return Profile(f"s{index:03d}", lang, KINDS[index % len(KINDS)],
                   COUNTRIES[index % len(COUNTRIES)])


def listing_path(spec: SiteSpec, index: int) -> str:
    return f"/s{index:03d}/{LISTING_FILES[profile(spec, index).kind]}"


def page_etag(index: int, k: int) -> str:
    return f'"p{index}-{k}"'


def _rng(spec: SiteSpec, index: int, k: int, part: str) -> random.Random:
    return random.Random(f"{spec.seed}:{index}:{k}:{part}")


def _slug(title: str) -> str:
    folded = unicodedata.normalize("NFD", title.lower().replace("đ", "d"))
    ascii_only = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_only).split()[:10])


@lru_cache(maxsize=65536)
def article_meta(spec: SiteSpec, index: int, k: int) -> Meta:
    """Article ``k`` of source ``index`` (k grows with time: the newest has the largest k)."""
    source = profile(spec, index)
    rng = _rng(spec, index, k, "meta")
    is_item = rng.random() < spec.item_share
    parties = texts.cooperation_parties(rng, source.lang) if is_item else None
    title = texts.headline(rng, source.lang, parties)
    section = 5 if is_item else rng.randrange(len(texts.SECTIONS[source.lang]))
    slug = f"{_slug(title)}-{index:03d}{k:06d}"
    path = f"/{source.name}/{texts.SECTIONS[source.lang][section]}/{slug}.html"
    published = EPOCH + timedelta(hours=2 * k, minutes=7 * index)
    return Meta(path, title, published, source.lang, is_item, section)


# --- page furniture: pools built once, sampled per page -------------------------------------

_POOL = random.Random(0)
CSS_RULES = [
    f".{_POOL.choice(['nav', 'box', 'card', 'ad', 'grid', 'btn', 'tt', 'lst'])}-{i}"
    f"{{margin:{_POOL.randint(0, 24)}px {_POOL.randint(0, 24)}px;"
    f"color:#{_POOL.randrange(16**6):06x};"
    f"font-size:{_POOL.randint(11, 22)}px;line-height:1.{_POOL.randint(2, 8)};"
    f"display:{_POOL.choice(['flex', 'block', 'grid', 'inline-block'])}}}"
    for i in range(400)
]
JS_LINES = [
    f"window.__cfg_{i}=window.__cfg_{i}||{{id:'{_POOL.randrange(16**8):08x}',slot:'div-gpt-ad-"
    f"{_POOL.randrange(10**9)}-{i}',sizes:[[{_POOL.choice([300, 728, 970])},"
    f"{_POOL.choice([90, 250, 600])}]],lazy:{_POOL.choice(['true', 'false'])}}};"
    f"(function(d,s){{var e=d.createElement(s);e.async=1;e.src='/static/js/m{i}.js?v="
    f"{_POOL.randrange(10**6)}';d.head.appendChild(e)}})(document,'script');"
    for i in range(400)
]


def _links(items: list[tuple[str, str]], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f"<ul{cls}>" + "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in items
    ) + "</ul>"


def _menu(source: Profile, base: str) -> str:
    names, slugs = texts.SECTION_NAMES[source.lang], texts.SECTIONS[source.lang]
    items = []
    for name, slug in zip(names, slugs, strict=True):
        subs = [(f"{base}/{source.name}/{slug}/{sub}", f"{name} {sub}") for sub in range(1, 7)]
        items.append(f'<li><a href="{base}/{source.name}/{slug}">{html.escape(name)}</a>'
                     f"{_links(subs, 'sub-menu')}</li>")
    return f'<nav class="main-menu"><ul>{"".join(items)}</ul></nav>'


def _other_links(spec: SiteSpec, index: int, ks: list[int], base: str) -> list[tuple[str, str]]:
    metas = [article_meta(spec, index, k) for k in ks if k >= 0]
    return [(base + meta.path, meta.title) for meta in metas]


def _blob(rng: random.Random, pool: list[str], size: int) -> str:
    return "".join(rng.choices(pool, k=max(1, size // 170)))


def _head(meta: Meta, description: str, url: str, site: str, css: str) -> str:
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                     "headline": meta.title, "datePublished": meta.published.isoformat(),
                     "inLanguage": meta.lang, "publisher": {"@type": "Organization",
                                                            "name": site}}, ensure_ascii=False)
    title = html.escape(meta.title)
    return (
        f'<!DOCTYPE html><html lang="{meta.lang}"><head><meta charset="utf-8">'
        f"<title>{title} - {site}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="description" content="{html.escape(description)}">'
        f'<link rel="canonical" href="{url}"><meta property="og:type" content="article">'
        f'<meta property="og:title" content="{title}"><meta property="og:url" content="{url}">'
        f'<meta property="article:published_time" content="{meta.published.isoformat()}">'
        f'<style>{css}</style><script type="application/ld+json">{ld}</script></head>'
    )


def _article(meta: Meta, body: list[str], read_also: str, words: dict[str, str]) -> str:
    middle = len(body) // 2
    paras = [f"<p>{html.escape(p)}</p>" for p in body]
    paras.insert(middle, f'<div class="read-also"><b>{words["read_also"]}</b>{read_also}</div>'
                         '<div class="ad-slot" id="ad-inarticle"></div>')
    when = meta.published.strftime("%d/%m/%Y %H:%M")
    return (f'<article class="detail"><h1 class="headline">{html.escape(meta.title)}</h1>'
            f'<div class="byline"><span class="date">{when}</span></div>'
            f'<div class="sapo"><p>{html.escape(body[0])}</p></div>'
            f'<div class="detail-content">{"".join(paras[1:])}</div>'
            f'<div class="tags">{words["tags"]}: <a href="/tag/a">#{meta.section}</a></div>'
            f'<div class="share">{words["share"]}: <a href="#fb">Facebook</a> '
            '<a href="#zalo">Zalo</a> <a href="#x">X</a></div></article>')


def page_bytes(spec: SiteSpec, index: int, k: int, base: str) -> bytes:
    """The article page, 30–120 KB (see the module docstring)."""
    source, meta = profile(spec, index), article_meta(spec, index, k)
    rng = _rng(spec, index, k, "page")
    words = texts.FURNITURE[source.lang]
    parties = texts.cooperation_parties(_rng(spec, index, k, "meta"), source.lang) \
        if meta.is_item else None
    body = texts.paragraphs(rng, source.lang, parties, rng.randint(6, 22))
    related = _other_links(spec, index, list(range(k - 1, k - rng.randint(12, 30), -1)), base)
    most_read = _other_links(spec, index, rng.sample(range(max(k, 1)), min(k, 10)), base)
    site = f"{source.name.upper()} News"
    core = "".join([
        f'<body><header class="site-header"><div class="top-bar"><a href="{base}/">{site}</a> '
        f'<a href="/login">{words["login"]}</a> <a href="/subscribe">{words["subscribe"]}</a>'
        f"</div>{_menu(source, base)}</header>",
        f'<div class="ticker"><b>{words["latest"]}</b>{_links(related[:6])}</div><main>',
        f'<div class="breadcrumb"><a href="{base}/">{words["home"]}</a> / '
        f"{texts.SECTION_NAMES[source.lang][meta.section]}</div>",
        _article(meta, body, _links(related[6:9]), words),
        f'<aside class="related"><h3>{words["related"]}</h3>{_links(related, "related")}</aside>',
        f'<aside class="most-read"><h3>{words["most_read"]}</h3>{_links(most_read)}</aside>',
        f'</main><footer class="site-footer">{_menu(source, base)}'
        f"<p>{texts.fill(words['footer'], rng, source.lang)}</p></footer>",
    ])
    target = int(rng.triangular(MIN_PAGE, MAX_PAGE, MODE_PAGE))
    room = max(2_000, target - len(core.encode()) - 1_500)
    css = _blob(rng, CSS_RULES, room * 2 // 5)
    script = f"<script>{_blob(rng, JS_LINES, room * 3 // 5)}</script></body></html>"
    url = base + meta.path
    return (_head(meta, body[0][:200], url, site, css) + core + script).encode()


# --- listings ------------------------------------------------------------------------------


def listing_bytes(spec: SiteSpec, index: int, visible: int, base: str) -> tuple[bytes, str]:
    """The source's listing of its newest ``spec.articles`` articles, and its content type."""
    source = profile(spec, index)
    ks = range(visible - 1, max(-1, visible - 1 - spec.articles), -1)
    metas = [article_meta(spec, index, k) for k in ks]
    build = {"rss": _rss, "atom": _atom, "sitemap": _sitemap, "html": _html_listing}[source.kind]
    return build(source, metas, base).encode(), CONTENT_TYPES[source.kind]


def _rss(source: Profile, metas: list[Meta], base: str) -> str:
    items = "".join(
        f"<item><title>{html.escape(m.title)}</title>"
        f"<link>{base}{m.path}?utm_source=rss&amp;utm_medium=feed</link>"
        f"<guid isPermaLink='false'>{m.path}</guid>"
        f"<pubDate>{format_datetime(m.published, usegmt=True)}</pubDate>"
        f"<description>{html.escape(m.title)}.</description></item>" for m in metas)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>{source.name}</title><link>{base}/</link><language>{source.lang}</language>"
            f"{items}</channel></rss>")


def _atom(source: Profile, metas: list[Meta], base: str) -> str:
    updated = metas[0].published.isoformat() if metas else EPOCH.isoformat()
    entries = "".join(
        f"<entry><title>{html.escape(m.title)}</title><link rel='alternate' href='{base}{m.path}'/>"
        f"<id>{base}{m.path}</id><updated>{m.published.isoformat()}</updated>"
        f"<summary>{html.escape(m.title)}</summary></entry>" for m in metas)
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
            f"<title>{source.name}</title><id>{base}/{source.name}</id><updated>{updated}</updated>"
            f"{entries}</feed>")


def _sitemap(source: Profile, metas: list[Meta], base: str) -> str:
    urls = "".join(
        f"<url><loc>{base}{m.path}</loc><lastmod>{m.published.isoformat()}</lastmod>"
        f"<news:news><news:title>{html.escape(m.title)}</news:title>"
        f"<news:publication_date>{m.published.isoformat()}</news:publication_date>"
        "</news:news></url>" for m in metas)
    return ("<?xml version='1.0' encoding='UTF-8'?>"
            "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>" + urls + "</urlset>")


def _html_listing(source: Profile, metas: list[Meta], base: str) -> str:
    words = texts.FURNITURE[source.lang]
    items = "".join(
        f'<div class="story"><h3><a href="{base}{m.path}">{html.escape(m.title)}</a></h3>'
        f'<span class="time">{m.published:%d/%m/%Y}</span></div>' for m in metas)
    return (f'<!DOCTYPE html><html lang="{source.lang}"><head><meta charset="utf-8">'
            f"<title>{words['latest']}</title></head><body><header>{_menu(source, base)}</header>"
            f'<main><h1>{words["latest"]}</h1><div class="list-news">{items}</div></main>'
            f"<footer>{_menu(source, base)}</footer></body></html>")
