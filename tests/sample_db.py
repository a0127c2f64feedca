"""A small coopwatch database of the kind an analyst opens, for the page and browser tests and
the screenshots: items in English and Vietnamese (two outlets reporting one event), events
linked the way ``jobs.events`` links them, rejected articles, a failing source. Written for
these tests; the outlets and the texts are invented."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from jobs import events, serve
from jobs.models import Item
from jobs.schema import connect
from jobs.store import transaction
from jobs.text import fold

NOW = "2025-06-20T09:30:00+00:00"

# url tail, source, language, published, event_date, place, countries, organisations, kinds,
# title, summary, evidence sentences {field: sentence}
ITEMS = [
    ("laos-press-1", "harbour-news", "en", "2025-04-15", "2025-04-14", "Huế", ("LA", "VN"),
     ("KPL", "VNA"), ("agreement",), "Vietnam and Laos news agencies sign content deal in Hue",
     "VNA and KPL signed an agreement in Huế on Monday to exchange news and photos.",
     {"cooperation": "VNA and KPL signed an agreement in Huế on Monday to exchange news.",
      "countries": "The deal deepens press ties between Vietnam and Laos.",
      "organisations": "VNA and KPL signed an agreement in Huế on Monday to exchange news.",
      "event_date": "VNA and KPL signed an agreement in Huế on Monday to exchange news.",
      "place": "VNA and KPL signed an agreement in Huế on Monday to exchange news."}),
    ("laos-press-2", "tin-viet", "vi", "2025-04-15", "2025-04-14", "Huế", ("LA", "VN"),
     ("KPL", "VNA"), ("agreement",), "TTXVN và KPL ký thỏa thuận hợp tác báo chí tại Huế",
     "Ngày 14/4, tại Huế, TTXVN và Hãng thông tấn Lào KPL đã ký thỏa thuận trao đổi tin.",
     {"cooperation": "Ngày 14/4, tại Huế, TTXVN và KPL đã ký thỏa thuận trao đổi tin.",
      "countries": "Hợp tác báo chí Việt Nam – Lào ngày càng chặt chẽ.",
      "event_date": "Ngày 14/4, tại Huế, TTXVN và KPL đã ký thỏa thuận trao đổi tin.",
      "place": "Ngày 14/4, tại Huế, TTXVN và KPL đã ký thỏa thuận trao đổi tin."}),
    ("cambodia-training", "harbour-news", "en", "2025-02-03", "2025-02-01", "Phnom Penh",
     ("KH", "VN"), ("VOV",), ("training",), "Cambodian reporters trained by Vietnamese radio",
     "Thirty reporters from Cambodia began a two-week radio course run by VOV.",
     {"cooperation": "Thirty reporters from Cambodia began a radio course run by VOV.",
      "countries": "Thirty reporters from Cambodia began a radio course run by VOV of Vietnam.",
      "place": "The course opened in Phnom Penh on February 1."}),
    ("china-coproduction", "tin-viet", "vi", "2025-06-10", "2025-06-09", "Hà Nội",
     ("CN", "VN"), ("CMG", "VTV"), ("joint_production",),
     "VTV và CMG hợp tác sản xuất phim tài liệu",
     "VTV và Tổng đài Phát thanh Truyền hình Trung ương Trung Quốc sẽ cùng sản xuất phim.",
     {"cooperation": "VTV và CMG sẽ cùng sản xuất ba phim tài liệu.",
      "countries": "Đây là dự án đầu tiên giữa truyền hình Việt Nam và Trung Quốc.",
      "organisations": "VTV và CMG sẽ cùng sản xuất ba phim tài liệu."}),
    ("korea-journalism", "harbour-news", "en", "2025-06-18", None, "Seoul", ("KR", "VN"),
     ("VNA",), ("training", "exchange"), "Korean press foundation hosts Vietnamese editors",
     "A week of newsroom visits for ten Vietnamese editors, hosted in Seoul.",
     {"cooperation": "A week of newsroom visits for ten Vietnamese editors, hosted in Seoul.",
      "countries": "Editors from Vietnam met their South Korean peers."}),
]

REJECTED = [
    ("storm-warning", "tin-viet", "vi", "2025-06-12", "Bão số 2 gây mưa lớn ở miền Trung",
     "no media/communication field"),
    ("football-friendly", "harbour-news", "en", "2025-05-02",
     "Vietnam beat Laos 2-0 in a friendly", "no cooperation in a media/communication field"),
    ("press-day-speech", "harbour-news", "en", "2025-06-21",
     "Minister praises reporters on Press Day", "only one country: VN"),
]


def build(path: Path) -> Path:
    """Write the sample database at ``path`` (it must not exist yet) and return ``path``."""
    db = connect(path)
    db["sources"].insert_all([
        {"name": "harbour-news", "url": "https://harbour.example/rss", "kind": "rss",
         "last_checked": NOW, "last_ok": NOW, "consecutive_failures": 0},
        {"name": "tin-viet", "url": "https://tinviet.example/atom", "kind": "atom",
         "last_checked": NOW, "last_ok": NOW, "consecutive_failures": 0},
        {"name": "coast-daily", "url": "https://coast.example/feed", "kind": "rss",
         "last_checked": NOW, "last_ok": "2025-06-01T09:30:00+00:00",
         "last_error": f"{NOW} HTTP 503", "consecutive_failures": 3},
    ])
    with transaction(db):
        for row in ITEMS:
            _save_item(db, *row)
        for tail, source, lang, published, title, reason in REJECTED:
            url = f"https://{source}.example/{tail}"
            _save_article(db, url, source, title, published, lang, f"{title}. " * 12,
                          decision="rejected", reason=reason)
    db.close()
    return path


def _save_item(db, tail, source, lang, published, event_date, place, countries, orgs, kinds,
               title, summary, evidence) -> None:
    url = f"https://{source}.example/{tail}"
    text = f"{summary} {' '.join(evidence.values())}"
    _save_article(db, url, source, title, published, lang, text, decision="item", reason=None)
    item = Item(url=url, source=source, title=title, published=published,
                event_date=event_date, place=place, countries=countries, organisations=orgs,
                kinds=kinds, topics=("content exchange",) if "agreement" in kinds else (),
                summary=summary, evidence=evidence, score=0.85, classifier="sample")
    row = {"url": url, "source": source, "title": title, "published": published,
           "event_date": event_date, "place": place, "summary": summary, "score": item.score,
           "classifier": item.classifier, "first_seen": f"{published}T08:00:00+00:00",
           "evidence": json.dumps(evidence, ensure_ascii=False)}
    for column in ("countries", "organisations", "kinds", "topics"):
        row[column] = json.dumps(list(getattr(item, column)), ensure_ascii=False)
    db["items"].insert(row)
    _index(db, "items", url, title, f"{place} {' '.join(orgs)} {summary}\n{text}")
    events.assign_event(db, item)


def _save_article(db, url, source, title, published, lang, text, *, decision, reason) -> None:
    """An article row and its search row, as jobs.store writes them (written here directly so
    these pages are tested apart from the store's own changes)."""
    db["articles"].insert({"url": url, "link": url, "source": source, "title": title,
                           "published": published, "language": lang, "text": text,
                           "first_seen": f"{published}T08:00:00+00:00", "fetched": NOW,
                           "decision": decision, "reason": reason, "classifier": "sample"})
    _index(db, "articles", url, title, text)


def _index(db, table: str, url: str, title: str, body: str) -> None:
    rowid = db.execute(f"select rowid from {table} where url = ?", [url]).fetchone()[0]
    db.execute(f"insert into {table}_fts (rowid, title, body, folded) values (?, ?, ?, ?)",
               [rowid, title, body, fold(f"{title}\n{body}")])


@contextmanager
def served(
    db: Path, answers: tuple[int, ...] = (200,)
) -> Iterator[Callable[[str], httpx.Response]]:
    """GET paths from Datasette serving ``db`` in process; each must answer one of ``answers``."""
    ds = serve.make_datasette(db)
    loop = asyncio.new_event_loop()

    def fetch(path: str) -> httpx.Response:
        response = loop.run_until_complete(ds.client.get(path))
        assert response.status_code in answers, (path, response.text[:500])
        return response

    try:
        yield fetch
    finally:
        ds.get_database(serve.DATABASE_NAME).close()
        loop.close()
