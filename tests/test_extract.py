"""extract_article on recorded pages: decoding, the publication date and its evidence, tables.

Each ``tests/fixtures/extract/NAME.html`` has a ``NAME.expected.json`` holding the URL it came
from, the feed entry if any, and the whole Article expected (re-record with
``python tests/fixtures/extract/make_pages.py --record`` and read the diff).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from jobs import store
from jobs.extract import decode_html, extract_article
from jobs.models import Entry

PAGES = Path(__file__).parent / "fixtures" / "extract"
MOJIBAKE = ("Ã", "á»", "Ä‘", "Æ°")  # UTF-8 read as windows-1252


def _cases() -> list[str]:
    return sorted(path.name.removesuffix(".expected.json")
                  for path in PAGES.glob("*.expected.json"))


def _extract(name: str):
    case = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    entry = Entry(**case["entry"]) if case.get("entry") else None
    body = (PAGES / f"{name}.html").read_bytes()
    return extract_article(body, case["url"], source="test", fallback=entry), case


@pytest.mark.parametrize("name", _cases())
def test_recorded_page_gives_its_whole_article(name: str) -> None:
    article, case = _extract(name)
    got = asdict(article)
    assert {key: got[key] for key in case["article"]} == case["article"]
    assert all(got[key] is None for key in got.keys() - case["article"].keys())


def test_declared_utf8_page_with_stray_bytes_is_not_garbled() -> None:
    body = (PAGES / "utf8-stray-bytes.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    html = decode_html(body, "text/html; charset=utf-8")
    assert "hữu nghị Việt Nam – Lào" in html
    assert not any(garble in html for garble in MOJIBAKE)
    assert html.count("\ufffd") == 3  # the three stray bytes, and nothing else


def test_windows_1258_page_declared_only_in_meta_decodes() -> None:
    body = (PAGES / "cp1258-meta.html").read_bytes()
    html = decode_html(body, "text/html")
    assert "Hội nhà báo ký thỏa thuận đào tạo với đối tác Campuchia" in html  # NFC
    assert "\ufffd" not in html


def test_page_that_says_utf8_but_is_latin1_is_guessed_again() -> None:
    text = "<p>Die Zusammenarbeit der Sender wird verlängert, sagte der Intendant. Grüße</p>" * 5
    body = b'<meta charset="utf-8">' + text.encode("latin-1")
    html = decode_html(body)
    assert "verlängert" in html and "Grüße" in html


def test_stale_legacy_header_loses_to_a_page_that_is_utf8_but_one_byte() -> None:
    body = ("<p>Hợp tác báo chí Việt Nam – Lào</p>" * 20).encode("utf-8") + b"\x92"
    html = decode_html(body, "text/html; charset=windows-1252")
    assert html.startswith("<p>Hợp tác báo chí Việt Nam – Lào</p>")


def test_legacy_page_with_a_few_accents_keeps_its_declared_charset() -> None:
    body = '<meta charset="windows-1252"><p>Café crème, déjà vu</p>'.encode("cp1252")
    assert "Café crème, déjà vu" in decode_html(body)


def test_date_in_the_url_is_said_to_come_from_the_url() -> None:
    body = (PAGES / "date-none.html").read_bytes()
    article = extract_article(body, "https://news.example.org/2025/05/03/newsroom", source="t")
    assert (article.published, article.published_from) == ("2025-05-03", "url")


def test_page_without_any_date_and_no_entry_has_none() -> None:
    article, _ = _extract("date-none")
    bare = extract_article((PAGES / "date-none.html").read_bytes(), article.url, source="t")
    assert (bare.published, bare.published_from) == (None, None)


def test_table_cells_are_part_of_the_text() -> None:
    article, _ = _extract("table-terms")
    assert "Forty pictures a day, free of charge" in article.text
    assert "Contact the newsroom" not in article.text


def test_evidence_kind_is_stored_with_the_article(db) -> None:
    article, case = _extract("date-comment-rdf")
    store.save_article(db, article, link=case["url"], now="2025-01-01T00:00:00+00:00")
    row = next(db["articles"].rows_where("url = ?", [article.url]))
    assert (row["published"], row["published_from"]) == ("2009-10-04", "comment")


def test_feed_entry_date_replaces_a_guess_from_free_text() -> None:
    body = (PAGES / "date-byline-es.html").read_bytes()
    url = "https://agencia.example.org/mundo/convenio-intercambio"
    guessed = extract_article(body, url, source="t")
    assert (guessed.published, guessed.published_from) == ("2020-03-17", "free-text")
    entry = Entry(url=url, published="2020-03-17T09:30:00+01:00")
    article = extract_article(body, url, source="t", fallback=entry)
    assert (article.published, article.published_from) == (entry.published, "entry")


def test_feed_entry_date_does_not_replace_the_page_metadata() -> None:
    body = (PAGES / "table-terms.html").read_bytes()
    url = "https://news.example.org/world/agency-exchange-terms"
    entry = Entry(url=url, published="2025-02-19T00:00:00+00:00")
    article = extract_article(body, url, source="t", fallback=entry)
    assert (article.published, article.published_from) == ("2025-02-18", "metadata")
