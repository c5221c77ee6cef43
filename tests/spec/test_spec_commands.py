"""`ocgate spec pin` and `ocgate spec diff` as a team runs them: what they write, print and exit with."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from cli_runs import assert_one_line_error, ocgate

from ocgate.spec import DEFAULT_BUILTIN, load_document, load_spec


def with_prose(tmp_path: Path) -> Path:
    """The built-in document as a vendor would publish it: with descriptions and examples."""
    document = json.loads(json.dumps(load_document(DEFAULT_BUILTIN)))
    document["info"]["description"] = "OrderCloud is an API"
    for item in document["paths"].values():
        for operation in item.values():
            operation["summary"] = operation["description"] = f"Does {operation['operationId']}."
    document["components"]["schemas"]["Buyer"]["example"] = {"ID": ""}
    path = tmp_path / "published.json"
    path.write_text(json.dumps(document))
    return path


def test_pin_writes_the_facts_only_form_and_says_how_to_use_it(tmp_path: Path) -> None:
    out = tmp_path / "pins" / "openapi.json"
    result = ocgate("spec", "pin", "--from", str(with_prose(tmp_path)), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "1.0.260.26968" in result.stdout and "439 operations" in result.stdout
    assert f'spec = "{out}"' in result.stdout
    assert json.loads(out.read_text()) == load_document(DEFAULT_BUILTIN)  # the same facts as the shipped document
    assert len(load_spec(str(out)).operations) == 443  # usable as a spec, overlay included


def test_pinning_from_an_unreachable_url_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1/openapi/v3"
    assert_one_line_error(ocgate("spec", "pin", "--from", url, "--out", str(tmp_path / "o.json")), "cannot load", url)


def test_pinning_a_file_that_is_not_openapi_is_one_line(tmp_path: Path) -> None:
    swagger = tmp_path / "swagger.json"
    swagger.write_text('{"swagger": "2.0", "paths": {}}')
    assert_one_line_error(ocgate("spec", "pin", "--from", str(swagger), "--out", str(tmp_path / "o.json")), "not an OpenAPI 3 document")
    assert not (tmp_path / "o.json").exists()


def test_pinning_to_an_unwritable_path_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert_one_line_error(ocgate("spec", "pin", "--from", DEFAULT_BUILTIN, "--out", str(blocker / "openapi.json")), "cannot write", "--out")


def without_buyers_create(tmp_path: Path) -> Path:
    document = json.loads(json.dumps(load_document(DEFAULT_BUILTIN)))
    del document["paths"]["/buyers"]["post"]
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(document))
    return path


def test_diff_prints_a_table_of_what_broke_and_exits_1(tmp_path: Path) -> None:
    result = ocgate("spec", "diff", "builtin", str(without_buyers_create(tmp_path)))
    assert result.returncode == 1, result.stderr
    assert "Buyers.Create" in result.stdout and "operation removed" in result.stdout


def test_diff_as_json_names_the_change_for_machines(tmp_path: Path) -> None:
    result = ocgate("spec", "diff", "builtin", str(without_buyers_create(tmp_path)), "--json")
    assert result.returncode == 1, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert {"kind": "operation removed", "operation": "Buyers.Create", "breaking": True}.items() <= changes[0].items()


def test_a_document_diffed_with_its_own_pin_has_no_changes_and_exits_0(tmp_path: Path) -> None:
    pinned = tmp_path / "openapi.json"
    assert ocgate("spec", "pin", "--from", str(with_prose(tmp_path)), "--out", str(pinned)).returncode == 0
    result = ocgate("spec", "diff", "builtin", str(pinned))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no changes" in result.stdout


def test_diff_of_a_missing_document_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(ocgate("spec", "diff", "builtin", str(tmp_path / "nope.json")), "cannot load", "nope.json")
