"""Reviewers' corrections: the file, the command, and the writer that never lets them be lost."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobs.cli import main
from jobs.config import load_config
from jobs.corrections import (
    REJECTED,
    Correction,
    CorrectionsWatch,
    apply,
    edit_corrections,
    load_corrections,
    parse_assignment,
)
from jobs.errors import ConfigError
from jobs.models import Article, Item, Rejection
from jobs.pipeline import Sync, default_classifier, reclassify
from jobs.schema import connect
from tests.conftest import write_config

VTV = "/society/vtv-cmg-jointly-produce-programmes.html"
LAOS = "/news/vietnam-laos-media-cooperation-prospects.html"
FLOWERS = "/society/city-opens-new-flower-market.html"
NOW = datetime(2026, 12, 5, 1, 20, tzinfo=UTC)

VALID = """\
# Reviewed by the desk every Friday.
corrections:
  # the signing took place in Huế
  - url: https://example.org/news/1?utm_source=rss#top
    set:
      place: Huế
      countries: [vn, LA]
      kinds: [agreement]
      event_date: 2025-04-14
    by: lan
    at: 2026-12-05T01:20:00+00:00
    note: see the second paragraph
  - url: https://example.org/news/2
    reject: true
    by: minh
    at: 2026-12-05
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "corrections.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_reads_into_canonical_entries(tmp_path):
    corrections = load_corrections(write(tmp_path, VALID))
    assert list(corrections.entries) == ["https://example.org/news/1",
                                         "https://example.org/news/2"]
    first = corrections.get("https://example.org/news/1")
    assert first == Correction(
        url="https://example.org/news/1", by="lan", at="2026-12-05T01:20:00+00:00",
        fields={"place": "Huế", "countries": ("LA", "VN"), "kinds": ("agreement",),
                "event_date": "2025-04-14"},
        action=None, note="see the second paragraph", line=4)
    second = corrections.get("https://example.org/news/2")
    assert (second.action, second.at) == ("reject", "2026-12-05T00:00:00+00:00")


def test_a_missing_or_empty_file_is_no_corrections(tmp_path):
    assert load_corrections(tmp_path / "absent.yaml").entries == {}
    assert load_corrections(write(tmp_path, "# nothing yet\n")).entries == {}


def test_every_problem_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, """\
corrections:
  - url: https://example.org/a
    set:
      countries: [VN, XX]
      kind: [agreement]
      kinds: [handshake]
      event_date: 14/04/2025
    by: lan
    at: 2026-12-05T01:20:00+00:00
  - url: https://example.org/b
    reject: true
    set: {place: Huế}
    at: 2026-12-05T01:20:00+00:00
  - url: https://example.org/c
    by: lan
    at: 2026-12-05T01:20:00+00:00
""")
    with pytest.raises(ConfigError) as raised:
        load_corrections(path)
    assert raised.value.problems == [
        f"{path}:5: corrections[0].set.kind: unknown key (did you mean 'kinds'?)",
        f"{path}:4: corrections[0].set.countries: 'XX' is not an ISO 3166-1 alpha-2 country "
        "code",
        f"{path}:6: corrections[0].set.kinds: 'handshake' is not one of agreement, "
        "joint_production, exchange, training, conference, meeting",
        f"{path}:7: corrections[0].set.event_date: '14/04/2025' is not a date like 2025-04-14 "
        "(or null)",
        f"{path}:10: corrections[1].by: missing (required)",
        f"{path}:12: corrections[1]: a rejected item has no fields to set; drop set",
        f"{path}:14: corrections[2]: says nothing: give set, reject: true or accept: true",
    ]


def test_a_duplicate_url_names_the_first_line(tmp_path):
    path = write(tmp_path, """\
corrections:
  - url: https://example.org/a
    accept: true
    by: lan
    at: 2026-12-05T01:20:00+00:00
  - url: https://example.org/a#again
    reject: true
    by: lan
    at: 2026-12-05T01:20:00+00:00
""")
    with pytest.raises(ConfigError) as raised:
        load_corrections(path)
    assert raised.value.problems == [
        f"{path}:6: corrections[1].url: a second entry for https://example.org/a (the first is "
        "on line 2)"]


def test_invalid_yaml_gives_its_line(tmp_path):
    path = write(tmp_path, "corrections:\n  - url: [unclosed\n    by: lan\n")
    with pytest.raises(ConfigError) as raised:
        load_corrections(path)
    assert raised.value.problems[0].startswith(f"{path}:3: invalid YAML")


ARTICLE = Article(url="https://example.org/news/1", source="rss", title="VTV and LNR sign",
                  text="VTV and Lao National Radio signed an agreement in Hà Nội.",
                  published="2025-04-15T01:46:00+00:00", description="They signed.")
MACHINE = Item(url=ARTICLE.url, source="rss", title=ARTICLE.title, published="2025-04-15",
               event_date=None, place="Hà Nội", countries=("LA", "VN"),
               organisations=("LNR", "VTV"), kinds=("agreement",), topics=(), summary="They.",
               evidence={"place": "…"}, score=0.8, classifier="rules-1",
               event_date_basis="missing")


def correction(**values) -> Correction:
    return Correction(ARTICLE.url, "lan", "2026-12-05T01:20:00+00:00", **values)


def test_apply_replaces_fields_and_keeps_the_machine_values():
    item, review = apply(correction(fields={"place": "Huế", "event_date": "2025-04-14"}),
                         ARTICLE, MACHINE)
    assert (item.place, item.event_date, item.event_date_basis, item.event_day) == (
        "Huế", "2025-04-14", "stated", "--04-14")
    assert item.countries == MACHINE.countries  # what was not corrected is the machine's
    assert review.reviewed == "corrected"
    assert review.corrected == ("place", "event_date")
    assert review.machine == {"place": "Hà Nội", "event_date": None}


def test_apply_rejects_accepts_and_promotes():
    rejected, review = apply(correction(action="reject"), ARTICLE, MACHINE)
    assert rejected == Rejection(ARTICLE.url, REJECTED, "rules-1")
    assert (review.reviewed, review.machine_decision) == ("rejected", "item")

    accepted, review = apply(correction(action="accept"), ARTICLE, MACHINE)
    assert accepted == MACHINE and review.reviewed == "accepted"

    machine_no = Rejection(ARTICLE.url, "only one country: VN", "rules-1")
    promoted, review = apply(correction(action="accept", fields={"countries": ("LA", "VN")}),
                             ARTICLE, machine_no)
    assert isinstance(promoted, Item)
    assert (promoted.title, promoted.published, promoted.countries, promoted.summary) == (
        ARTICLE.title, "2025-04-15", ("LA", "VN"), "They signed.")
    assert (review.reviewed, review.machine_decision, review.machine_reason) == (
        "corrected", "rejected", "only one country: VN")
    assert review.machine == {"countries": None}

    # fields alone on a rejected article wait for an item
    assert apply(correction(fields={"place": "Huế"}), ARTICLE, machine_no) == (machine_no, None)
    assert apply(None, ARTICLE, MACHINE) == (MACHINE, None)


def test_assignments_from_the_command_line():
    assert parse_assignment("countries=vn, LA") == ("countries", ("LA", "VN"))
    assert parse_assignment("event_date=") == ("event_date", None)
    assert parse_assignment("topics=AI,publishing") == ("topics", ("AI", "publishing"))
    for bad, message in (("place", "expected FIELD=VALUE"), ("score=1", "cannot be corrected"),
                         ("kinds=signing", "is not one of"), ("countries=Laos", "alpha-2")):
        with pytest.raises(ValueError, match=message):
            parse_assignment(bad)


def test_edit_keeps_comments_and_order_and_says_what_changed(tmp_path):
    path = write(tmp_path, VALID)
    changes = edit_corrections(path, "https://example.org/news/1", fields={"place": "Hội An"},
                               action=None, note=None, by="minh", now=NOW)
    assert changes == ["place: 'Huế' → 'Hội An'"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Reviewed by the desk every Friday.\ncorrections:\n"
                           "  # the signing took place in Huế\n")
    assert text.index("news/1") < text.index("news/2")
    assert "    by: minh\n" in text and "countries: [vn, LA]" in text
    added = edit_corrections(path, "https://example.org/news/3?utm_medium=feed",
                             fields={"countries": ("LA", "VN")}, action="accept",
                             note="a missed one", by="lan", now=NOW)
    assert added == ["new entry for https://example.org/news/3", "countries: (none) → LA,VN",
                     "accepted", "note: (none) → 'a missed one'"]
    entries = load_corrections(path).entries
    assert list(entries) == ["https://example.org/news/1", "https://example.org/news/2",
                             "https://example.org/news/3"]
    assert entries["https://example.org/news/1"].fields["place"] == "Hội An"
    assert edit_corrections(path, "https://example.org/news/3", fields={}, action="accept",
                            note=None, by="lan", now=NOW) == []


def test_a_file_of_comments_only_keeps_them(tmp_path):
    path = write(tmp_path, "# Corrections of the Hanoi desk.\n")
    edit_corrections(path, "https://example.org/a", fields={}, action="accept", note=None,
                     by="lan", now=NOW)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Corrections of the Hanoi desk.\ncorrections:\n  - url: "
                           "https://example.org/a\n    accept: true\n")


def test_correct_command(runner, tmp_path):
    config = write_config(tmp_path, "  - name: rss\n    url: http://127.0.0.1:9/rss.xml\n")
    result = runner.invoke(main, ["correct", "https://example.org/x", "--set", "place=Huế",
                                  "--set", "countries=VN,KH", "--by", "lan",
                                  "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == [
        "new entry for https://example.org/x", "place: (none) → 'Huế'",
        "countries: (none) → KH,VN"]
    assert (tmp_path / "corrections.yaml").exists()  # beside the sources file
    rejected = runner.invoke(main, ["correct", "https://example.org/x", "--reject", "--note",
                                    "not media", "--by", "lan", "--config", str(config)])
    assert rejected.output.splitlines()[:3] == [
        "rejected", "fields dropped (a rejected item has none)", "note: (none) → 'not media'"]
    bad = runner.invoke(main, ["correct", "https://example.org/x", "--set", "kinds=handshake",
                               "--by", "lan", "--config", str(config)])
    assert bad.exit_code == 2 and "'handshake' is not one of" in bad.output
    checked = runner.invoke(main, ["check", "--config", str(config)])
    assert checked.exit_code == 0
    assert f"{tmp_path / 'corrections.yaml'}: 1 corrections (1 reject)" in checked.output


def test_a_malformed_file_stops_one_shot_commands_with_exit_2(runner, tmp_path):
    config = write_config(tmp_path, "  - name: rss\n    url: http://127.0.0.1:9/rss.xml\n")
    broken = write(tmp_path, "corrections:\n  - url: https://example.org/a\n    by: lan\n"
                   "    at: 2026-12-05\n    set: {countries: [Vietnam]}\n")
    db = tmp_path / "db.sqlite"
    for command in (["check"], ["sync", "--db", str(db)], ["reclassify", "--db", str(db)],
                    ["correct", "https://example.org/a", "--accept", "--by", "lan"]):
        result = runner.invoke(main, [*command, "--config", str(config)])
        assert result.exit_code == 2, (command, result.output)
        assert f"{broken}:5: corrections[0].set.countries: 'Vietnam' is not" in result.output
    (tmp_path / "elsewhere").mkdir()
    other = write_config(tmp_path / "elsewhere", "  - name: rss\n    url: http://x.org/rss\n")
    result = runner.invoke(main, ["check", "--config", str(other)],
                           env={"COOPWATCH_CORRECTIONS": str(broken)})
    assert result.exit_code == 2


SOURCES = "  - name: rss\n    url: {base}/rss.xml\n    country: VN\n"


def items(db) -> dict[str, dict]:
    return {row["url"]: row for row in db["items"].rows}


def articles(db) -> dict[str, dict]:
    return {row["url"]: row for row in db["articles"].rows}


def test_corrections_hold_through_sync_reclassify_and_resync(site, tmp_path):
    """The issue's test: correct a place, reject a false positive, promote a rejected article;
    reclassify and sync again: the corrections hold, the machine values stay, events relink."""
    config_path = write_config(tmp_path, SOURCES.format(base=site.base))
    config = load_config(config_path)
    db = connect(tmp_path / "db" / "coopwatch.db")
    classifier = default_classifier(config.scope)
    watch = CorrectionsWatch(tmp_path / "corrections.yaml")
    sync = Sync(db, classifier=classifier, corrections=watch, countries={"rss": "VN"})
    sync.run(config.enabled())
    vtv, laos, flowers = site.url(VTV), site.url(LAOS), site.url(FLOWERS)
    before = items(db)
    assert set(before) == {vtv, laos} and articles(db)[flowers]["decision"] == "rejected"
    machine_place = before[laos]["place"]
    machine_reason = articles(db)[flowers]["reason"]
    laos_event = before[laos]["event_id"]

    path = watch.path
    edit_corrections(path, laos, fields={"place": "Đà Nẵng"}, action=None, note="Da Nang",
                     by="lan", now=NOW)
    edit_corrections(path, vtv, fields={}, action="reject", note="a false positive", by="lan",
                     now=NOW)
    edit_corrections(path, flowers, fields={"countries": ("LA", "VN"), "kinds": ("exchange",)},
                     action="accept", note=None, by="minh", now=NOW)
    sync.run(config.enabled())  # the next pass applies them to the stored articles

    def check() -> None:
        now = items(db)
        assert set(now) == {laos, flowers}
        assert (now[laos]["place"], now[laos]["reviewed"]) == ("Đà Nẵng", "corrected")
        assert json.loads(now[laos]["corrected"]) == ["place"]
        assert json.loads(now[laos]["machine"]) == {"place": machine_place}
        assert now[flowers]["reviewed"] == "corrected"
        assert json.loads(now[flowers]["countries"]) == ["LA", "VN"]
        stored = articles(db)
        assert (stored[vtv]["decision"], stored[vtv]["reason"]) == ("rejected", REJECTED)
        assert stored[vtv]["machine_decision"] == "item"
        assert (stored[flowers]["decision"], stored[flowers]["machine_decision"],
                stored[flowers]["machine_reason"]) == ("item", "rejected", machine_reason)
        events = {row["id"]: row for row in db["events"].rows}
        assert events[now[laos]["event_id"]]["place"] == "Đà Nẵng"  # linked on corrected fields
        assert not any(vtv == row["url"] for row in events.values())
        assert all(row["event_id"] in events for row in now.values())
        assert {row["url"] for row in db["corrections"].rows} == {laos, vtv, flowers}

    check()
    assert items(db)[laos]["event_id"] == laos_event
    reclassify(db, classifier, {"rss": "VN"}, watch.current())
    check()
    reclassify(db, classifier, {"rss": "VN"})  # no file given: the ones last applied hold
    check()
    sync.run(config.enabled())
    check()

    # an entry removed from the file gives the article back to the classifier
    path.write_text(path.read_text(encoding="utf-8").split("  - url: " + vtv)[0],
                    encoding="utf-8")
    sync.run(config.enabled())
    assert vtv in items(db) and items(db)[vtv]["reviewed"] == "none"
    assert articles(db)[vtv]["machine_decision"] is None
    db.close()


def test_new_articles_are_corrected_as_they_are_stored(site, tmp_path):
    config = load_config(write_config(tmp_path, SOURCES.format(base=site.base)))
    path = write(tmp_path, "")
    edit_corrections(path, site.url(VTV), fields={"topics": ("AI",)}, action=None, note=None,
                     by="lan", now=NOW)
    db = connect(tmp_path / "fresh.db")
    Sync(db, classifier=default_classifier(), corrections=CorrectionsWatch(path)).run(
        config.enabled())
    row = items(db)[site.url(VTV)]
    assert (json.loads(row["topics"]), row["reviewed"]) == (["AI"], "corrected")
    assert json.loads(row["machine"])["topics"] != ["AI"]
    db.close()


def test_the_service_keeps_the_last_good_corrections(tmp_path, caplog):
    path = write(tmp_path, VALID)
    watch = CorrectionsWatch(path)
    assert len(watch.current().entries) == 2
    path.write_text(VALID + "  - url: https://example.org/news/3\n    oops: 1\n",
                    encoding="utf-8")
    with caplog.at_level("ERROR", logger="jobs.corrections"):
        assert len(watch.current().entries) == 2  # the last good ones stay in force
    assert f"{path}:18: corrections[2].oops: unknown key" in caplog.text
    path.write_text(VALID.split("  - url: https://example.org/news/2")[0], encoding="utf-8")
    assert list(watch.current().entries) == ["https://example.org/news/1"]


def test_a_pass_of_the_service_goes_on_with_a_malformed_file(site, tmp_path):
    """The running service's Sync: a bad edit is logged, the pass runs on the last good ones."""
    config = load_config(write_config(tmp_path, SOURCES.format(base=site.base)))
    path = write(tmp_path, "")
    edit_corrections(path, site.url(VTV), fields={}, action="reject", note=None, by="lan",
                     now=NOW)
    db = connect(tmp_path / "service.db")
    sync = Sync(db, classifier=default_classifier(), corrections=CorrectionsWatch(path))
    path.write_text(path.read_text(encoding="utf-8") + "  - url: [broken\n", encoding="utf-8")
    result = sync.sync_source(config.sources[0])
    assert result.status == "ok"
    assert site.url(VTV) not in items(db)  # the last good file rejected it
    assert articles(db)[site.url(VTV)]["reason"] == REJECTED
    db.close()


def test_the_readme_example_file_is_valid(tmp_path):
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Fixing an item"):]
    start = section.index("```yaml\n") + len("```yaml\n")
    example = section[start: section.index("```", start)]
    entries = load_corrections(write(tmp_path, example)).entries
    assert [c.action for c in entries.values()] == [None, "reject", "accept"]


def test_corrections_become_evaluation_data(site, tmp_path):
    """bench/evaluate.py --corrections: the current classifier scored on the reviewed pages."""
    import subprocess
    import sys

    config_path = write_config(tmp_path, SOURCES.format(base=site.base))
    db_path = tmp_path / "db" / "coopwatch.db"
    path = write(tmp_path, "")
    for url, fields, action in ((LAOS, {"place": "Đà Nẵng"}, None), (VTV, {}, "reject"),
                                (FLOWERS, {"countries": ("LA", "VN")}, "accept")):
        edit_corrections(path, site.url(url), fields=fields, action=action, note=None,
                         by="lan", now=NOW)
    db = connect(db_path)
    Sync(db, classifier=default_classifier(), corrections=CorrectionsWatch(path),
         countries={"rss": "VN"}).run(load_config(config_path).enabled())
    db.close()
    root = Path(__file__).parent.parent
    result = subprocess.run(
        [sys.executable, str(root / "bench" / "evaluate.py"), "--corrections", str(path),
         "--db", str(db_path), "--config", str(config_path)],
        capture_output=True, text=True, check=True, cwd=root)
    lines = result.stdout.splitlines()
    assert lines[0] == f"reviewed articles in {path}: 3 labelled (1 accept, 1 fields, 1 reject)"
    assert lines[1:4] == [
        "decision right   0.33 1/3",
        "items kept       0.50 1/2   (recall on reviewed items)",
        "rejections kept  0.00 0/1   (reviewer-rejected pages still rejected)"]
    assert lines[4] == "place            0.00 0/1"


def test_the_item_card_strikes_the_machine_value_through(site, tmp_path):
    import asyncio

    from datasette.utils import tilde_encode

    from jobs import serve

    config_path = write_config(tmp_path, SOURCES.format(base=site.base))
    db_path = tmp_path / "db" / "coopwatch.db"
    path = write(tmp_path, "")
    edit_corrections(path, site.url(LAOS), fields={"place": "Đà Nẵng"}, action=None,
                     note="the second paragraph", by="lan", now=NOW)
    db = connect(db_path)
    Sync(db, classifier=default_classifier(), corrections=CorrectionsWatch(path),
         countries={"rss": "VN"}).run(load_config(config_path).enabled())
    machine = json.loads(items(db)[site.url(LAOS)]["machine"])["place"]
    db.close()
    ds = serve.make_datasette(db_path)
    loop = asyncio.new_event_loop()
    try:
        page = loop.run_until_complete(ds.client.get(
            f"/coopwatch/items/{tilde_encode(site.url(LAOS))}")).text
        facets = loop.run_until_complete(ds.client.get("/coopwatch/items.json?_facet=reviewed"))
        notes = loop.run_until_complete(ds.client.get(
            "/coopwatch/corrections_with_notes.json?_shape=objects")).json()["rows"]
    finally:
        ds.get_database(serve.DATABASE_NAME).close()
        loop.close()
    assert "corrected by lan on 2026-12-05 01:20 UTC: the second paragraph" in page
    assert (f'<dt>place</dt><dd><del title="the classifier\'s value">{machine}</del> '
            '<ins title="the reviewer\'s value">Đà Nẵng</ins></dd>') in page
    reviewed = {v["value"]: v["count"]
                for v in facets.json()["facet_results"]["reviewed"]["results"]}
    assert reviewed == {"corrected": 1, "none": 1}
    assert [(r["note"], r["by"], r["reviewed"]) for r in notes] == [
        ("the second paragraph", "lan", "corrected")]


def test_correct_says_what_the_database_holds(runner, site, tmp_path):
    config_path = write_config(tmp_path, SOURCES.format(base=site.base))
    db_path = tmp_path / "db" / "coopwatch.db"
    db = connect(db_path)
    Sync(db, classifier=default_classifier()).run(load_config(config_path).enabled())
    db.close()

    def correct(url: str) -> list[str]:
        result = runner.invoke(main, ["correct", url, "--accept", "--by", "lan", "--config",
                                      str(config_path), "--db", str(db_path)])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    assert correct(site.url(VTV) + "?utm_source=x")[-1] == "stored as an item"
    assert correct(site.url(FLOWERS))[-1].startswith("stored as rejected (")
    assert correct(site.url("/society/no-such-page.html"))[-1] == (
        f"{site.url('/society/no-such-page.html')} is not stored yet (a typo? the URL as the "
        "store keeps it is in articles.url): the correction applies when a sync fetches it")
