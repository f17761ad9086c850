"""Tracing: provider ownership, the span helper's error recording and request ids."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.trace import StatusCode

from intelgraph import __version__
from intelgraph.errors import NotFound
from intelgraph.obs.tracing import (
    ATTR_TENANT,
    REQUEST_ID,
    Tracing,
    current_request_id,
    is_valid_request_id,
    new_request_id,
    span,
    using_request_id,
)


def test_memory_exporter_records_spans_with_the_service_resource() -> None:
    tracing = Tracing.create("memory")
    assert tracing.enabled
    assert tracing.exporter is not None
    with span(tracing.tracer("t"), "work", **{ATTR_TENANT: "acme", "skipped": None}):
        pass
    (finished,) = tracing.exporter.get_finished_spans()
    assert finished.name == "work"
    assert finished.attributes == {ATTR_TENANT: "acme"}
    assert finished.resource.attributes["service.name"] == "intelgraph"
    assert finished.resource.attributes["service.version"] == __version__
    tracing.shutdown()
    tracing.shutdown()  # idempotent


def test_none_exporter_is_a_no_op_and_leaves_the_global_provider_alone() -> None:
    before = trace.get_tracer_provider()
    tracing = Tracing.create()
    assert not tracing.enabled
    assert tracing.exporter is None
    with span(tracing.tracer("t"), "work", answer=42) as current:
        assert not current.is_recording()
    tracing.shutdown()
    assert trace.get_tracer_provider() is before


def test_console_exporter_writes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    tracing = Tracing.create("console")
    with span(tracing.tracer("t"), "printed"):
        pass
    tracing.shutdown()  # flushes the batch
    assert '"name": "printed"' in capsys.readouterr().err


def test_unknown_exporter_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown span exporter"):
        Tracing.create("jaeger")  # type: ignore[arg-type]


def test_span_records_type_and_code_but_never_the_message() -> None:
    tracing = Tracing.create("memory")
    assert tracing.exporter is not None
    with pytest.raises(NotFound), span(tracing.tracer("t"), "lookup"):
        raise NotFound("no entity named Jane Secret", hint="check the spelling")
    (finished,) = tracing.exporter.get_finished_spans()
    assert finished.status.status_code is StatusCode.ERROR
    assert finished.status.description is None
    assert finished.attributes is not None
    assert finished.attributes["error.type"] == "intelgraph.errors.NotFound"
    assert finished.attributes["error.code"] == "not_found"
    (event,) = finished.events
    assert event.name == "exception"
    assert dict(event.attributes or {}) == {
        "exception.type": "intelgraph.errors.NotFound",
        "error.code": "not_found",
    }
    assert "Jane Secret" not in finished.to_json()


def test_span_without_a_code_records_the_builtin_type_only() -> None:
    tracing = Tracing.create("memory")
    assert tracing.exporter is not None
    with pytest.raises(KeyError), span(tracing.tracer("t"), "lookup"):
        raise KeyError("secret-key")
    (finished,) = tracing.exporter.get_finished_spans()
    assert finished.attributes is not None
    assert finished.attributes["error.type"] == "KeyError"
    assert "error.code" not in finished.attributes
    assert "secret-key" not in finished.to_json()


def test_request_ids() -> None:
    first, second = new_request_id(), new_request_id()
    assert len(first) == 32
    assert first != second
    assert int(first, 16) >= 0
    assert is_valid_request_id(first)
    assert is_valid_request_id("req-1.a_B")
    assert is_valid_request_id("x" * 64)
    for bad in ("", "x" * 65, "a b", "a\nb", "abc\n", "<script>", "é"):
        assert not is_valid_request_id(bad), bad


def test_using_request_id_sets_and_restores_the_context() -> None:
    assert current_request_id() is None
    with using_request_id("outer"):
        with using_request_id("inner"):
            assert current_request_id() == "inner"
        assert REQUEST_ID.get() == "outer"
    assert current_request_id() is None
