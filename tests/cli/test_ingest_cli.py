"""`intelgraph ingest …` end to end: the documented commands on the real datasets."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intelgraph.cli import app
from intelgraph.ingest import stix_entity_id

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
DONATIONS_MAPPING = REPO / "docs" / "examples" / "donations.yml"


@pytest.fixture
def data_dir(tmp_path: Path) -> list[str]:
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "init"])
    assert result.exit_code == 0, result.output
    return ["--data-dir", str(tmp_path / "data")]


def ingest_json(data_dir: list[str], *args: str) -> dict[str, object]:
    result = runner.invoke(app, [*data_dir, "ingest", *args, "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.shared_data
def test_donations_load_with_the_documented_command(data_dir: list[str], shared_data: Path) -> None:
    csv_path = shared_data / "donations" / "donations.csv"
    summary = ingest_json(data_dir, str(csv_path), "--mapping", str(DONATIONS_MAPPING))
    rows = sum(1 for _ in csv_path.open(encoding="utf-8")) - 1
    assert summary["records_read"] == rows == 292
    assert summary["records_loaded"] == rows  # every row accounted for, none in the DLQ
    assert summary["dlq"] == 0
    assert set(summary) >= {
        "run_id", "records_read", "statements_written", "entities", "edges", "dlq", "seconds",
    }  # fmt: skip
    edges = summary["edges"]
    assert isinstance(edges, dict)
    assert edges["Payment"]["created"] == 290
    again = ingest_json(data_dir, str(csv_path), "--mapping", str(DONATIONS_MAPPING))
    assert again["statements_written"] == 0

    found = runner.invoke(app, [*data_dir, "search", "Metall", "--json"])
    assert found.exit_code == 0
    hits = json.loads(found.stdout)["hits"]
    assert any("Metall- und Elektroindustrie" in hit["caption"] for hit in hits)


@pytest.mark.shared_data
def test_attack_bundle_every_object_accounted_for(data_dir: list[str], shared_data: Path) -> None:
    bundle = shared_data / "mitre-attack" / "enterprise-attack.json.gz"
    with gzip.open(bundle, "rt", encoding="utf-8") as handle:
        objects = json.load(handle)["objects"]
    types = Counter(obj["type"] for obj in objects)
    summary = ingest_json(data_dir, str(bundle))
    assert summary["records_read"] == len(objects) == 22_193
    assert summary["dlq"] == 0
    # Marking definitions are kept as records but are labels, not entities.
    assert summary["records_skipped"] == types["marking-definition"]
    assert summary["records_loaded"] == len(objects) - types["marking-definition"]
    edges = summary["edges"]
    assert isinstance(edges, dict)
    relationships = sum(pair["created"] for pair in edges.values())
    assert relationships == types["relationship"]

    revoked = next(o for o in objects if o.get("revoked") and o["type"] == "attack-pattern")
    shown = runner.invoke(app, [*data_dir, "show", stix_entity_id(revoked["id"]), "--json"])
    entity = json.loads(shown.stdout)
    assert entity["properties"]["revoked"] == ["true"]
    assert entity["properties"]["stixId"] == [revoked["id"]]


def test_runs_status_and_dead_letters(data_dir: list[str], tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(
        '{"id": "p1", "schema": "Person", "properties": {"name": ["Ada"]}}\n'
        "{not json\n"
        '{"id": "p2", "schema": "Person", "properties": {}}\n',
        encoding="utf-8",
    )
    summary = ingest_json(data_dir, str(path), "--source", "people")
    assert (summary["records_loaded"], summary["dlq"]) == (1, 2)

    runs = runner.invoke(app, [*data_dir, "ingest", "runs", "--json"])
    assert runs.exit_code == 0
    listed = json.loads(runs.stdout)
    assert listed[0]["run_id"] == summary["run_id"]
    assert listed[0]["status"] == "completed"

    status = runner.invoke(app, [*data_dir, "ingest", "status", str(summary["run_id"])])
    assert status.exit_code == 0
    detail = json.loads(status.stdout)
    (checkpoint,) = detail["checkpoints"].values()
    assert checkpoint == {"cursor": "3", "records": 3, "done": True}

    letters = runner.invoke(app, [*data_dir, "ingest", "dlq", "list", "--json"])
    found = json.loads(letters.stdout)
    reasons = {letter["location"]: letter["reason"] for letter in found}
    assert "not valid JSON" in reasons["line 2"]
    assert "required" in reasons["line 3"]
    bad = next(letter for letter in found if letter["location"] == "line 2")
    shown = runner.invoke(app, [*data_dir, "ingest", "dlq", "show", str(bad["id"])])
    assert json.loads(shown.stdout)["content"] == "{not json"

    replayed = runner.invoke(app, [*data_dir, "ingest", "dlq", "replay"])
    assert replayed.exit_code == 0, replayed.output
    assert "0 loaded, 2 failed again" in replayed.stdout
    still = json.loads(runner.invoke(app, [*data_dir, "ingest", "dlq", "list", "--json"]).stdout)
    assert len(still) == 2  # the replay's own letters; the old ones are marked failed


def test_csv_without_mapping_is_refused_with_a_hint(data_dir: list[str], tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, [*data_dir, "ingest", str(path)])
    assert result.exit_code == 1
    assert "needs a mapping" in result.output
    assert "--mapping" in result.output


def test_bad_mapping_names_the_line(data_dir: list[str], tmp_path: Path) -> None:
    mapping = tmp_path / "bad.yml"
    mapping.write_text(
        "queries:\n  - entities:\n      p:\n        schema: Persn\n        keys: [a]\n",
        encoding="utf-8",
    )
    path = tmp_path / "rows.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    result = runner.invoke(app, [*data_dir, "ingest", str(path), "--mapping", str(mapping)])
    assert result.exit_code == 1
    assert f"{mapping}:4:" in result.output
    assert "Person" in result.output


def test_labels_from_the_command_line(data_dir: list[str], tmp_path: Path) -> None:
    path = tmp_path / "secret.jsonl"
    path.write_text('{"id": "s1", "schema": "Person", "properties": {"name": ["Mole"]}}\n')
    ingest_json(
        data_dir, str(path), "--label", "tenant=acme", "--label", "classification=2",
        "--label", "compartments=HUMINT,SIGINT",
    )  # fmt: skip
    hidden = runner.invoke(app, [*data_dir, "show", "s1", "--tenant", "acme"])
    assert hidden.exit_code == 1
    shown = runner.invoke(
        app,
        [*data_dir, "show", "s1", "--json", "--tenant", "acme", "--clearance", "SECRET",
         "--compartments", "HUMINT,SIGINT"],
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    labels = json.loads(shown.stdout)["labels"][0]
    assert labels["classification"] == 2
    assert labels["compartments"] == ["HUMINT", "SIGINT"]
    bad = runner.invoke(app, [*data_dir, "ingest", str(path), "--label", "colour=red"])
    assert bad.exit_code == 1
    assert "unknown label" in bad.output


def test_watch_ingests_each_new_file_once(data_dir: list[str], tmp_path: Path) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "a.jsonl").write_text(
        '{"id": "w1", "schema": "Person", "properties": {"name": ["W"]}}\n'
    )
    (drop / "notes.txt.bak").write_text("ignored")
    first = runner.invoke(app, [*data_dir, "ingest", "watch", str(drop), "--once"])
    assert first.exit_code == 0, first.output
    assert first.output.count("new file:") == 1
    second = runner.invoke(app, [*data_dir, "ingest", "watch", str(drop), "--once"])
    assert second.output.count("new file:") == 0  # already loaded: not again
    (drop / "b.jsonl").write_text(
        '{"id": "w2", "schema": "Person", "properties": {"name": ["X"]}}\n'
    )
    third = runner.invoke(app, [*data_dir, "ingest", "watch", str(drop), "--once"])
    assert third.output.count("new file:") == 1
    assert "b.jsonl" in third.output


def test_push_tokens(data_dir: list[str]) -> None:
    made = runner.invoke(app, [*data_dir, "ingest", "token", "create", "sensor"])
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("igp_")
    token_id = secret.split("_")[1]
    revoked = runner.invoke(app, [*data_dir, "ingest", "token", "revoke", token_id])
    assert revoked.exit_code == 0
    again = runner.invoke(app, [*data_dir, "ingest", "token", "revoke", token_id])
    assert again.exit_code == 1


def test_http_command_pulls_pages_and_keeps_headers_secret(
    data_dir: list[str], tmp_path: Path
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    people = [{"id": f"h{i}", "schema": "Person", "properties": {"name": [f"Web {i}"]}}
              for i in range(7)]  # fmt: skip
    seen_auth: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen_auth.append(self.headers.get("Authorization"))
            page = int(self.path.rsplit("=", 1)[-1]) if "page=" in self.path else 0
            items = people[page * 3 : page * 3 + 3]
            body = {"data": items}
            if page * 3 + 3 < len(people):
                body["next"] = f"http://127.0.0.1:{self.server.server_port}/people?page={page + 1}"
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/people"
        summary = ingest_json(data_dir, "http", url, "--header", "Authorization: Bearer s3cret")
        bad = runner.invoke(app, [*data_dir, "ingest", "http", url, "--header", "s3cret-only"])
    finally:
        server.shutdown()
        server.server_close()
    assert summary["records_read"] == 7
    assert summary["entities"] == {"Person": {"created": 7, "updated": 0}}
    assert seen_auth
    assert set(seen_auth) == {"Bearer s3cret"}
    assert bad.exit_code == 1
    assert "Name: value" in bad.output
    assert "s3cret" not in bad.output
    status = runner.invoke(app, [*data_dir, "ingest", "status", str(summary["run_id"])])
    assert "s3cret" not in status.stdout
    assert json.loads(status.stdout)["options"]["http"]["pagination"] == "auto"


def test_xlsx_with_a_mapping(data_dir: list[str], tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Owners"
    sheet.append(["owner", "company", "share", "since"])
    sheet.append(["Ada Lovelace", "Engines Ltd", 50, "2020-01-31"])
    sheet.append(["Alan Turing", "Engines Ltd", 25.5, "2021-06-30"])
    path = tmp_path / "owners.xlsx"
    book.save(path)
    mapping = tmp_path / "owners.yml"
    mapping.write_text(
        """
queries:
  - entities:
      owner: {schema: Person, key: owner, properties: {name: {column: owner}}}
      company: {schema: Company, key: company, properties: {name: {column: company}}}
      stake:
        schema: Ownership
        keys: [owner, company]
        properties:
          owner: {entity: owner}
          asset: {entity: company}
          percentage: {column: share}
          startDate: {column: since}
""",
        encoding="utf-8",
    )
    summary = ingest_json(data_dir, str(path), "--mapping", str(mapping))
    assert summary["records_read"] == 2
    assert summary["entities"] == {
        "Company": {"created": 1, "updated": 0},
        "Person": {"created": 2, "updated": 0},
    }
    assert summary["edges"] == {"Ownership": {"created": 2, "updated": 0}}
    found = json.loads(runner.invoke(app, [*data_dir, "search", "Turing", "--json"]).stdout)
    shown = runner.invoke(app, [*data_dir, "show", found["hits"][0]["id"], "--json"])
    records = json.loads(shown.stdout)["records"]
    assert [r["location"] for r in records.values()] == ["sheet 'Owners' row 3"]
