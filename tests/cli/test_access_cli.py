"""`intelgraph users|tokens|authority|policy|keys rotate` and reads as a user, end to end."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from intelgraph.cli import app

runner = CliRunner()
PASSWORD = "a passphrase of five words"


@pytest.fixture
def data_dir(tmp_path: Path) -> list[str]:
    result = runner.invoke(app, ["--data-dir", str(tmp_path / "data"), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "admin user admin created with password" in " ".join(result.output.split())
    return ["--data-dir", str(tmp_path / "data")]


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def leaves(data_dir: list[str], kind: str) -> list[dict[str, object]]:
    with sqlite3.connect(Path(data_dir[1]) / "intelgraph.db") as connection:
        rows = connection.execute(
            "SELECT body FROM ledger_leaves WHERE kind = ? ORDER BY idx", (kind,)
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def person_with_pii(data_dir: list[str]) -> str:
    """A demo person with a birth date (a pii property)."""
    with sqlite3.connect(Path(data_dir[1]) / "intelgraph.db") as connection:
        row = connection.execute(
            "SELECT n.id FROM statements s JOIN nodes n ON n.nid = s.nid "
            "WHERE s.prop = 'birthDate' ORDER BY n.id LIMIT 1"
        ).fetchone()
    assert row, "the demo has people with a birth date"
    return str(row[0])


def test_users_lifecycle_and_rights(data_dir: list[str]) -> None:
    code, output = invoke(
        *data_dir, "users", "add", "ann", "--tenant", "default", "--clearance", "SECRET",
        "--compartments", "FIN", "--purposes", "aml,investigation", "--password-stdin", "--json",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, output
    added = json.loads(output)
    assert added["clearance"] == "SECRET"
    assert added["purposes"] == ["aml", "investigation"]
    assert added["password"] is True
    code, output = invoke(*data_dir, "users", "list", "--json")
    assert {u["name"] for u in json.loads(output)} == {"admin", "ann"}
    code, output = invoke(*data_dir, "users", "grant", "ann", "--compartments", "CTI")
    assert code == 0, output
    code, output = invoke(*data_dir, "users", "revoke", "ann", "--purposes", "aml")
    assert code == 0, output
    code, output = invoke(*data_dir, "users", "show", "ann")
    shown = json.loads(output)
    assert shown["compartments"] == ["CTI", "FIN"]
    assert shown["purposes"] == ["investigation"]
    # ann is no admin: she cannot add users, and the refusal is in the ledger.
    code, output = invoke(*data_dir, "users", "add", "bob", "--as", "ann")
    assert code == 1
    assert "may not manageUsers" in " ".join(output.split())
    assert leaves(data_dir, "policy-change")[-1]["decision"] == "deny"
    # an admin cannot grant more than it holds: admin holds no SIG compartment.
    code, output = invoke(*data_dir, "users", "grant", "ann", "--compartments", "SIG")
    assert code == 1
    code, output = invoke(*data_dir, "users", "disable", "ann")
    assert code == 0, output
    code, output = invoke(*data_dir, "search", "aurora", "--as", "ann")
    assert code == 1
    assert "disabled" in output
    code, output = invoke(*data_dir, "users", "add", "bad name!")
    assert code == 1
    assert "invalid user name" in output
    code, output = invoke(*data_dir, "users", "add", "weak", "--password-stdin", stdin="short\n")
    assert code == 1
    assert "too short" in output


def test_tokens_are_shown_once_and_stored_hashed(data_dir: list[str]) -> None:
    code, output = invoke(*data_dir, "tokens", "create", "etl", "--scope", "read,ingest", "--json")
    assert code == 0, output
    created = json.loads(output)
    assert created["token"].startswith("igt_")
    database = (Path(data_dir[1]) / "intelgraph.db").read_bytes()
    assert created["token"].encode() not in database
    code, output = invoke(*data_dir, "tokens", "list", "--json")
    assert json.loads(output)[0]["scopes"] == ["ingest", "read"]
    assert created["token"] not in output
    code, output = invoke(*data_dir, "tokens", "revoke", created["id"])
    assert code == 0, output
    code, output = invoke(*data_dir, "tokens", "list", "--json")
    assert json.loads(output)[0]["revoked"] is True
    code, output = invoke(*data_dir, "tokens", "create", "x", "--scope", "root")
    assert code == 1
    assert "invalid token scopes" in output


def test_private_values_need_an_authority_and_their_reads_are_audited(
    data_dir: list[str],
) -> None:
    person = person_with_pii(data_dir)
    code, output = invoke(*data_dir, "show", person, "--as", "admin", "--json")
    assert code == 0, output
    hidden = json.loads(output)
    assert "birthDate" not in hidden["properties"]
    assert "authority" in hidden["redactions"]["birthDate"]
    code, output = invoke(
        *data_dir, "authority", "grant", "--kind", "warrant", "--issuer", "District Court",
        "--reference", "4 Gs 17/26", "--purpose", "investigation", "--entities", person,
        "--id", "w-17", "--json",
    )  # fmt: skip
    assert code == 0, output
    reads_before = len(leaves(data_dir, "audited-read"))
    code, output = invoke(
        *data_dir, "show", person, "--as", "admin", "--authority", "w-17", "--json"
    )
    assert code == 0, output
    shown = json.loads(output)
    assert "birthDate" in shown["properties"]
    assert shown["redactions"] == {}
    audited = leaves(data_dir, "audited-read")[reads_before:]
    assert [leaf["decision"] for leaf in audited] == ["allow"]
    assert audited[0]["authority"] == "w-17"
    assert f"Property:{person}#birthDate" in audited[0]["resources"]
    assert shown["properties"]["birthDate"][0] not in json.dumps(audited)
    # Another purpose is not covered by the warrant.
    code, output = invoke(
        *data_dir, "show", person, "--as", "admin", "--authority", "w-17", "--purpose", "cti",
        "--json",
    )  # fmt: skip
    assert code == 1  # the person is tagged investigation only: not found for cti
    code, output = invoke(*data_dir, "authority", "revoke", "w-17")
    assert code == 0, output
    code, output = invoke(
        *data_dir, "show", person, "--as", "admin", "--authority", "w-17", "--json"
    )
    assert "birthDate" not in json.loads(output)["properties"]
    code, output = invoke(*data_dir, "authority", "list", "--json")
    assert json.loads(output)[0]["revoked"] is True
    assert [leaf["action"] for leaf in leaves(data_dir, "authority")] == ["granted", "revoked"]
    code, output = invoke(*data_dir, "show", person, "--as", "admin", "--authority", "nope")
    assert code == 1
    assert "no authority" in output


def test_policy_simulate_explains_and_advises(data_dir: list[str]) -> None:
    invoke(
        *data_dir, "users", "add", "cleo", "--clearance", "CONFIDENTIAL", "--purposes",
        "investigation",
    )  # fmt: skip
    person = person_with_pii(data_dir)
    code, output = invoke(
        *data_dir, "policy", "simulate", "--as", "cleo", "--action", "read", "--resource",
        f"{person}#birthDate", "--json",
    )  # fmt: skip
    assert code == 2
    body = json.loads(output)
    assert body["decision"] == "deny"
    assert "privacy-authority" in [p["id"] for p in body["policies"]]
    assert body["policies"][0]["where"].startswith("privacy.cedar:")
    assert any("authority grant" in step for step in body["advice"])
    code, output = invoke(
        *data_dir, "policy", "simulate", "--as", "cleo", "--resource", person, "--json"
    )
    assert code == 0, output  # a CONFIDENTIAL investigator may read the person itself
    assert json.loads(output)["decision"] == "allow"
    assert json.loads(output)["policies"] == [{"id": "tenant-read", "where": "reads.cedar:6"}]
    code, output = invoke(
        *data_dir, "policy", "simulate", "--as", "cleo", "--action", "rotateKey", "--resource",
        "Ledger",
    )  # fmt: skip
    assert code == 2
    assert "intelgraph users grant cleo --admin" in " ".join(output.split())
    code, output = invoke(
        *data_dir, "policy", "simulate", "--as", "admin", "--action", "rotateKey", "--resource",
        "Ledger", "--stale-login",
    )  # fmt: skip
    assert code == 2
    assert "fresh-authentication" in output
    code, output = invoke(
        *data_dir, "policy", "simulate", "--as", "admin", "--action", "export", "--resource",
        "Source:demo-incorporation-leak",
    )  # fmt: skip
    assert code == 2
    assert "restricted-export" in output
    code, output = invoke(*data_dir, "policy", "simulate", "--as", "admin", "--resource", "nope")
    assert code == 1
    assert "no entity" in output


def test_policy_apply_validates_installs_and_logs(data_dir: list[str], tmp_path: Path) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    env = [*data_dir[:2]]
    good = tmp_path / "no-sources.cedar"
    good.write_text(
        '@id("no-source-reads")\nforbid (principal, action == Action::"read", resource is Source)'
        "\nwhen { !principal.admin };\n"
    )
    broken = tmp_path / "broken.cedar"
    broken.write_text("permit (principal, action, resource) when { resource.nope };\n")
    runner_env = {"IG_POLICY_DIR": str(folder)}
    result = runner.invoke(app, [*env, "policy", "apply", str(broken)], env=runner_env)
    assert result.exit_code == 1
    assert "broken.cedar:1" in result.output.replace("\n", "")
    assert not (folder / "broken.cedar").exists()
    before = len(leaves(data_dir, "policy-change"))
    result = runner.invoke(app, [*env, "policy", "apply", str(good)], env=runner_env)
    assert result.exit_code == 0, result.output
    assert (folder / "no-sources.cedar").exists()
    logged = leaves(data_dir, "policy-change")[before:]
    assert [leaf["change"]["op"] for leaf in logged] == ["apply", "policy-set"]  # type: ignore[index]
    result = runner.invoke(app, [*env, "policy", "show", "--json"], env=runner_env)
    assert "no-source-reads" in result.output
    result = runner.invoke(app, [*env, "policy", "validate"], env=runner_env)
    assert result.exit_code == 0
    result = runner.invoke(app, [*env, "policy", "apply", str(good)])
    assert result.exit_code == 1
    assert "IG_POLICY_DIR" in result.output


def test_key_rotation_is_for_admins(data_dir: list[str]) -> None:
    invoke(*data_dir, "users", "add", "dan")
    code, output = invoke(*data_dir, "keys", "rotate", "--as", "dan")
    assert code == 1
    code, output = invoke(*data_dir, "keys", "rotate", "--issuer")
    assert code == 0, output
    assert "token-signing key" in output
    code, output = invoke(*data_dir, "keys", "rotate")
    assert code == 0, output
    ops = [leaf["change"]["op"] for leaf in leaves(data_dir, "policy-change")]  # type: ignore[index]
    assert ops[-2:] == ["rotate-issuer-key", "rotate-ledger-key"]
    code, output = invoke(*data_dir, "ledger", "verify")
    assert code == 0, output


def test_a_broken_deployment_policy_stops_every_command(
    data_dir: list[str], tmp_path: Path
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "site.cedar").write_text(
        '@id("fine")\nforbid (principal, action, resource) when { principal.admin && false };\n\n'
        "permit (principal, action, resource) when { resource.labels.nope == 1 };\n"
    )
    result = runner.invoke(
        app, [*data_dir, "search", "aurora", "--as", "admin"], env={"IG_POLICY_DIR": str(folder)}
    )
    assert result.exit_code == 1
    flat = result.output.replace("\n", "")
    assert "site.cedar:4" in flat
    assert "does not validate" in flat
    result = runner.invoke(app, [*data_dir, "policy", "validate", "--dir", str(folder)])
    assert result.exit_code == 1
    assert "site.cedar:4" in result.output.replace("\n", "")


def test_demo_after_init_gives_the_admin_the_demo_rights(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "d")]
    assert runner.invoke(app, [*data, "init"]).exit_code == 0
    _, output = invoke(*data, "users", "show", "admin")
    assert json.loads(output)["compartments"] == []
    assert runner.invoke(app, [*data, "demo", "--no-serve"]).exit_code == 0
    _, output = invoke(*data, "users", "show", "admin")
    shown = json.loads(output)
    assert shown["compartments"] == ["CTI", "FIN", "HUM"]
    assert shown["purposes"] == ["investigation", "aml", "cti"]
    ops = [leaf["change"]["op"] for leaf in leaves(data, "policy-change")]  # type: ignore[index]
    assert ops.count("bootstrap-admin") == 1
    assert ops.count("bootstrap-rights") == 1
    code, output = invoke(*data, "search", "aurora", "--as", "admin", "--json")
    assert code == 0, output
    assert json.loads(output)["total"] == 2
