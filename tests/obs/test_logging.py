"""Log lines never carry the values of local variables of a failing frame."""

from __future__ import annotations

import pytest

from intelgraph.obs.logging import configure_logging, get_logger


@pytest.mark.parametrize("as_json", [False, True], ids=["console", "json"])
def test_tracebacks_leave_out_local_values(
    capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    configure_logging("info", json=as_json)
    # Built at run time: the traceback shows source lines, and only a dump of locals
    # would show the value.
    password = "-".join(["hunter", str(6 * 7), "secret"])
    try:
        assert password
        raise RuntimeError("boom")
    except RuntimeError:
        get_logger("test").error("failed", exc_info=True)
    finally:
        configure_logging("info")
    err = capsys.readouterr().err
    assert "RuntimeError" in err
    assert "boom" in err
    assert password not in err
