"""`intelgraph ledger|keys|export|verify` end to end, including the real datasets."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intelgraph.cli import app
from intelgraph.ingest import stix_entity_id

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]
DONATIONS_MAPPING = REPO / "docs" / "examples" / "donations.yml"
AURORA = "6c7d2d044174229542771dac3309f14624a808a7"
ALL = ["--clearance", "TOP_SECRET", "--compartments", "FIN,HUM,CTI", "--purpose", "investigation"]
PURPOSE = ["--purpose", "investigation"]


@pytest.fixture
def data_dir(tmp_path: Path) -> list[str]:
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "init"])
    assert result.exit_code == 0, result.output
    return ["--data-dir", str(tmp_path / "data")]


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def statement_ids(data_dir: list[str], limit: int = 3) -> list[str]:
    db = Path(data_dir[1]) / "intelgraph.db"
    with sqlite3.connect(db) as connection:
        rows = connection.execute(f"SELECT id FROM statements LIMIT {limit}").fetchall()
    return [r[0] for r in rows]


def offline_verify(bundle: Path, cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run the verifier as a fresh process in an empty directory, with a database URL
    that cannot work: it must need neither."""
    env = {**os.environ, "IG_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    env.pop("IG_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "intelgraph", "verify", str(bundle), *extra],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_statement_is_proven_and_exported_bundle_verifies_offline(
    data_dir: list[str], tmp_path: Path
) -> None:
    code, output = invoke(*data_dir, "demo", "--no-serve")
    assert code == 0, output
    statement = statement_ids(data_dir, 1)[0]
    code, output = invoke(*data_dir, "ledger", "prove", statement, *ALL, "--json")
    assert code == 0, output
    evidence = json.loads(output)
    assert evidence["statement"]["id"] == statement
    assert evidence["record"]["sha256"] == evidence["statement"]["record_id"]
    assert evidence["source"]["licence"]
    assert evidence["checkpoint"]["note"].count("\n— ") == 1
    code, output = invoke(*data_dir, "ledger", "prove", "f" * 40, *ALL)
    assert code == 1
    assert "not found" in output

    bundle = tmp_path / "out" / "aurora.zip"
    code, output = invoke(
        *data_dir, "authority", "grant", "--kind", "court-order", "--issuer", "District Court",
        "--reference", "ticket 7", "--purpose", "investigation", "--id", "ticket-7",
        "--licences", "Restricted-TOS,Embargoed", "--json",
    )  # fmt: skip
    assert code == 0, output
    assert json.loads(output)["ledger_leaf"] > 0
    code, output = invoke(
        *data_dir, "export", "--subgraph", AURORA, "--hops", "2", "--format", "graphml",
        "--out", str(bundle), "--authority", "ticket-7", *ALL, "--json",
    )  # fmt: skip
    assert code == 0, output
    summary = json.loads(output)
    assert summary["statements"] > 50
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    checked = offline_verify(bundle, empty)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "verified" in checked.stdout
    assert not any(empty.iterdir())  # no data directory was created

    shown = runner.invoke(app, [*data_dir, "keys", "show"])
    assert shown.exit_code == 0
    assert "active key:" in shown.stderr
    pinned = offline_verify(bundle, empty, "--key", shown.stdout.splitlines()[0])
    assert pinned.returncode == 0, pinned.stdout
    stranger = runner.invoke(app, ["keys", "generate", "stranger"])
    other_key = stranger.stderr.split("verifier key (public): ")[1].split()[0]
    refused = offline_verify(bundle, empty, "--key", other_key, "--json")
    assert refused.returncode == 11
    assert json.loads(refused.stdout)["failure"] == "signature"

    (tmp_path / "junk.zip").write_bytes(b"PK\x03\x04 not really")
    assert offline_verify(tmp_path / "junk.zip", empty).returncode == 10
    assert offline_verify(tmp_path / "absent.zip", empty).returncode == 2

    code, output = invoke(*data_dir, "ledger", "verify", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["ok"] is True
    assert report["checkpoints"] >= 2  # init, demo (the export reused the latter)


def test_export_refusals_are_explained(data_dir: list[str], tmp_path: Path) -> None:
    invoke(*data_dir, "demo", "--no-serve")
    out = tmp_path / "x.zip"
    code, output = invoke(
        *data_dir, "export", "--subgraph", AURORA, "--hops", "2", "--out", str(out), *ALL
    )
    assert code == 1
    assert "Restricted-TOS" in output
    assert "--authority" in output
    assert not out.exists()
    code, output = invoke(*data_dir, "export", "--out", str(out))
    assert code == 1
    assert "exactly one of" in output
    code, output = invoke(
        *data_dir, "export", "--entities", AURORA, "--format", "pdf", "--out", str(out)
    )
    assert code == 1
    assert "jsonl" in output


def test_keys_rotate_keeps_the_ledger_verifiable(data_dir: list[str]) -> None:
    invoke(*data_dir, "demo", "--no-serve")
    code, before = invoke(*data_dir, "keys", "show")
    code, output = invoke(*data_dir, "keys", "rotate")
    assert code == 0, output
    assert "co-signed" in output
    code, after = invoke(*data_dir, "keys", "show")
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    code, output = invoke(*data_dir, "ledger", "checkpoint")
    assert code == 0
    code, output = invoke(*data_dir, "ledger", "verify")
    assert code == 0, output
    assert "ledger verified" in output


def test_ledger_verify_fails_loudly_on_tampering(data_dir: list[str]) -> None:
    invoke(*data_dir, "demo", "--no-serve")
    db = Path(data_dir[1]) / "intelgraph.db"
    with sqlite3.connect(db) as connection:
        connection.execute("DROP TRIGGER ledger_leaves_no_update")
        connection.execute(
            "UPDATE ledger_leaves SET body = replace(body, 'demo', 'oops') "
            "WHERE kind = 'ingest-batch'"
        )
    code, output = invoke(*data_dir, "ledger", "verify")
    assert code == 1
    assert "does not verify" in output
    assert "at level 0 does not match the leaves" in output


@pytest.mark.shared_data
def test_real_datasets_give_verifiable_checkpoints_and_an_offline_attack_export(
    data_dir: list[str], shared_data: Path, tmp_path: Path
) -> None:
    donations = shared_data / "donations" / "donations.csv"
    attack = shared_data / "mitre-attack" / "enterprise-attack.json.gz"
    for args in ([str(donations), "--mapping", str(DONATIONS_MAPPING)], [str(attack)]):
        code, output = invoke(*data_dir, "ingest", *args, "--json")
        assert code == 0, output
    code, output = invoke(*data_dir, "ledger", "verify", "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["checkpoints"] >= 3  # init, and one after each run
    assert report["batches"] >= 2
    apt29 = stix_entity_id("intrusion-set--899ce53f-13a0-479b-a0e4-67d46e241542")
    bundle = tmp_path / "apt29.zip"
    code, output = invoke(
        *data_dir,
        "export",
        "--subgraph",
        apt29,
        "--hops",
        "1",
        "--format",
        "stix",
        "--out",
        str(bundle),
        "--json",
    )
    assert code == 0, output
    assert json.loads(output)["statements"] > 100
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    checked = offline_verify(bundle, fresh, "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["format"] == "stix"


def test_claim_with_evidence_is_provable(data_dir: list[str], tmp_path: Path) -> None:
    invoke(*data_dir, "demo", "--no-serve")
    evidence = tmp_path / "extract.txt"
    evidence.write_text("Registry extract: Aurora Maritime, Valletta\n")
    code, output = invoke(
        *data_dir, "claim", AURORA, "country", "Malta", "--justification", "registry extract",
        "--evidence", str(evidence), "--author", "ann", *PURPOSE, "--json",
    )  # fmt: skip
    assert code == 0, output
    made = json.loads(output)
    assert made["value"] == "mt"
    assert made["new"] is True
    code, output = invoke(*data_dir, "ledger", "prove", made["statement_id"], *PURPOSE, "--json")
    assert code == 0, output
    evidence_json = json.loads(output)
    assert evidence_json["claim"]["justification"] == "registry extract"
    assert evidence_json["claim"]["evidence"]["name"] == "extract.txt"
    assert evidence_json["leaf"]["body"]["type"] == "claim"
    code, output = invoke(*data_dir, "claim", AURORA, "country", "Malta", "--justification", "x",
                          "--evidence", str(tmp_path / "missing.pdf"), *PURPOSE)  # fmt: skip
    assert code == 1
    assert "cannot read the evidence file" in output


def test_prove_reports_altered_data_and_verify_catches_a_rollback(
    data_dir: list[str], tmp_path: Path
) -> None:
    invoke(*data_dir, "demo", "--no-serve")
    code, output = invoke(
        *data_dir, "claim", AURORA, "notes", "late addition", "--justification", "x", *PURPOSE,
        "--json",
    )  # fmt: skip
    assert code == 0, output
    saved = tmp_path / "witness.note"
    code, _ = invoke(*data_dir, "ledger", "checkpoint", "--out", str(saved))
    assert code == 0
    code, output = invoke(*data_dir, "ledger", "verify", "--against", str(saved))
    assert code == 0, output
    statement = statement_ids(data_dir, 1)[0]
    db = Path(data_dir[1]) / "intelgraph.db"
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE statements SET value = value || '!' WHERE id = ?", (statement,))
    code, output = invoke(*data_dir, "ledger", "prove", statement, *ALL)
    assert code == 3
    assert "does not check" in output
    # Roll the log back past the kept checkpoint: leaves, nodes and checkpoints alike.
    with sqlite3.connect(db) as connection:
        for name in [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'"
        )]:  # fmt: skip
            connection.execute(f"DROP TRIGGER {name}")
        (cut,) = connection.execute(
            "SELECT MIN(idx) FROM ledger_leaves WHERE kind = 'claim'"
        ).fetchone()
        connection.execute("DELETE FROM ledger_leaves WHERE idx >= ?", (cut,))
        connection.execute("DELETE FROM ledger_members WHERE leaf_idx >= ?", (cut,))
        connection.execute("DELETE FROM ledger_refs WHERE leaf_idx >= ?", (cut,))
        connection.execute("DELETE FROM ledger_checkpoints WHERE size > ?", (cut,))
        for level in range(40):
            connection.execute(
                "DELETE FROM ledger_nodes WHERE level = ? AND (idx + 1) * (1 << ?) > ?",
                (level, level, cut),
            )
    code, output = invoke(*data_dir, "ledger", "verify")
    assert code == 0, output  # a consistent rollback is invisible from inside …
    code, output = invoke(*data_dir, "ledger", "verify", "--against", str(saved))
    assert code == 1, output  # … but not to a checkpoint kept elsewhere
    assert "rolled back" in output
