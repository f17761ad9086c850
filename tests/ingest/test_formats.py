"""Format readers: CSV, JSON, JSON Lines, XLSX (and gzip), format detection, resuming."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from intelgraph.errors import InvalidInput
from intelgraph.ingest.connectors.files import file_input
from intelgraph.ingest.formats import FormatOptions, detect_format, read_records
from intelgraph.ingest.records import RawRecord


def read(
    path: Path, fmt: str = "csv", cursor: str | None = None, **options: str
) -> list[RawRecord]:
    opener = lambda: path.open("rb")  # noqa: E731 - the opener a connector would pass
    return list(read_records(fmt, opener, cursor=cursor, options=FormatOptions(**options)))


def rows(records: list[RawRecord]) -> list[dict[str, object] | None]:
    return [dict(r.data) if r.data is not None else None for r in records]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# -- CSV: encodings -----------------------------------------------------------------------


def test_csv_utf8_values_locations_and_cursors(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "name,city\nAnna,Köln\nBjörk,Reykjavík\n")
    records = read(path)
    assert rows(records) == [
        {"name": "Anna", "city": "Köln"},
        {"name": "Björk", "city": "Reykjavík"},
    ]
    assert [(r.location, r.cursor, r.error, r.raw) for r in records] == [
        ("line 2", "1", None, None),
        ("line 3", "2", None, None),
    ]


def test_csv_utf8_with_bom_keeps_bom_out_of_header_and_raw(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "name,city\nAnna,Köln\nbroken\n".encode())
    records = read(path)
    assert rows(records)[0] == {"name": "Anna", "city": "Köln"}
    assert records[1].data is None
    assert records[1].raw == b"broken"  # no byte-order mark in front of the raw row


def test_csv_cp1252_is_detected(tmp_path: Path) -> None:
    text = "name;city;note\nAnna;Köln;Preis 5 €\nJosé;São Paulo;“Süd” – Straße\n"
    path = write(tmp_path / "win.csv", text, "cp1252")
    assert rows(read(path)) == [
        {"name": "Anna", "city": "Köln", "note": "Preis 5 €"},
        {"name": "José", "city": "São Paulo", "note": "“Süd” – Straße"},
    ]


def test_csv_short_latin1_sample_is_not_taken_for_cjk(tmp_path: Path) -> None:
    path = write(tmp_path / "short.csv", "name;city\nAnna;Köln\n", "latin-1")
    assert rows(read(path)) == [{"name": "Anna", "city": "Köln"}]


def test_csv_cyrillic_cp1251_is_still_detected(tmp_path: Path) -> None:
    text = "id,name,city\n1,Иван Петров,Москва\n2,Пётр Иванов,Казань\n"
    path = write(tmp_path / "ru.csv", text, "cp1251")
    assert rows(read(path))[1] == {"id": "2", "name": "Пётр Иванов", "city": "Казань"}


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "iso-8859-1"])
def test_csv_encoding_given_in_options(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "given.csv", "name,city\nZoë,Düsseldorf\n", "latin-1")
    assert rows(read(path, encoding=encoding)) == [{"name": "Zoë", "city": "Düsseldorf"}]


def test_csv_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "u16.csv", "name\tcity\nAnna\tKöln\n李\t北京\n", "utf-16")
    assert path.read_bytes()[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    records = read(path)
    assert rows(records) == [{"name": "Anna", "city": "Köln"}, {"name": "李", "city": "北京"}]
    assert [r.location for r in records] == ["line 2", "line 3"]


@pytest.mark.parametrize("offset", [4090, 8186])
def test_csv_utf8_character_across_a_buffer_boundary(tmp_path: Path, offset: int) -> None:
    # The two bytes of "ü" straddle byte 4096 or 8192: one stream buffer's worth of sample.
    text = "a,b\n" + "x" * offset + ",ü\né,ß\n"
    path = write(tmp_path / "boundary.csv", text)
    assert rows(read(path))[-1] == {"a": "é", "b": "ß"}


def test_csv_utf8_character_across_the_64k_sample_boundary(tmp_path: Path) -> None:
    line = "y" * 99 + ",ö\n"  # 103 bytes
    text = "a,b\n" + "x" * (65536 - 4 - 1 - 1) + ",ü\n" + line * 3
    path = write(tmp_path / "big.csv", text)
    assert text.encode().index("ü".encode()) == 65535  # cut by the 64 KiB sample
    records = read(path)
    assert len(records) == 4
    assert rows(records)[0] == {"a": "x" * 65530, "b": "ü"}
    assert rows(records)[-1] == {"a": "y" * 99, "b": "ö"}


def test_csv_wrong_explicit_encoding_is_invalid_input_with_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.csv", "name,city\nAnna,Köln\n", "latin-1")
    with pytest.raises(InvalidInput) as caught:
        read(path, encoding="utf-8")
    assert "not valid utf-8 text" in caught.value.message
    assert caught.value.hint is not None
    assert "--encoding" in caught.value.hint


def test_csv_unknown_encoding_name(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "a\n1\n")
    with pytest.raises(InvalidInput, match="unknown text encoding 'klingon'"):
        read(path, encoding="klingon")


# -- CSV: dialect -------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_detected(tmp_path: Path, delimiter: str) -> None:
    lines = [["id", "name", "city"], ["1", "Anna Maria", "Köln"], ["2", "Bob", "Wien"]]
    text = "".join(delimiter.join(line) + "\n" for line in lines)
    path = write(tmp_path / "d.csv", text)
    assert rows(read(path)) == [
        {"id": "1", "name": "Anna Maria", "city": "Köln"},
        {"id": "2", "name": "Bob", "city": "Wien"},
    ]


@pytest.mark.parametrize(("given", "actual"), [(",", ","), (";", ";"), ("\\t", "\t"), ("|", "|")])
def test_csv_delimiter_given(tmp_path: Path, given: str, actual: str) -> None:
    # Each row holds all four candidates, so only the given delimiter splits it right.
    others = "".join(c for c in ",;\t|" if c != actual)
    text = f'a{actual}b\n"x{others}"{actual}y\n'
    path = write(tmp_path / "g.csv", text)
    assert rows(read(path, delimiter=given)) == [{"a": f"x{others}", "b": "y"}]


def test_csv_quotechar_given(tmp_path: Path) -> None:
    path = write(tmp_path / "q.csv", "a,b\n'x,y',z\n")
    assert rows(read(path, delimiter=",", quotechar="'")) == [{"a": "x,y", "b": "z"}]


def test_csv_multicharacter_delimiter_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "a::b\n1::2\n")
    with pytest.raises(InvalidInput, match="single characters"):
        read(path, delimiter="::")


def test_csv_ragged_short_file_keeps_the_header_delimiter(tmp_path: Path) -> None:
    # One ragged row in a short sample defeats csv.Sniffer; the header decides instead.
    path = write(tmp_path / "r.csv", "name;city\nAnna;Köln\nBob;Graz\nBad;x;y\n")
    records = read(path)
    assert rows(records) == [
        {"name": "Anna", "city": "Köln"},
        {"name": "Bob", "city": "Graz"},
        None,
    ]
    assert records[2].raw == b"Bad;x;y"


def test_csv_quoting_embedded_delimiters_quotes_and_newlines(tmp_path: Path) -> None:
    text = (
        'id,name,comment\n1,"Smith, John","He said ""hi"""\n2,"Multi\nline\nname",plain\n3,Last,x\n'
    )
    path = write(tmp_path / "quoted.csv", text)
    records = read(path)
    assert rows(records) == [
        {"id": "1", "name": "Smith, John", "comment": 'He said "hi"'},
        {"id": "2", "name": "Multi\nline\nname", "comment": "plain"},
        {"id": "3", "name": "Last", "comment": "x"},
    ]
    # The location is the line where the record ends.
    assert [r.location for r in records] == ["line 2", "line 5", "line 6"]
    assert [r.cursor for r in records] == ["1", "2", "3"]


def test_csv_crlf_line_endings(tmp_path: Path) -> None:
    path = write(tmp_path / "crlf.csv", 'a,b\r\n1,"x\r\ny"\r\n2,z\r\n')
    assert rows(read(path)) == [{"a": "1", "b": "x\r\ny"}, {"a": "2", "b": "z"}]


def test_csv_blank_lines_are_skipped_and_not_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "blank.csv", "\n\nname,n\n\nA,1\n   \n\nB,2\n\n")
    records = read(path)
    assert rows(records) == [{"name": "A", "n": "1"}, {"name": "B", "n": "2"}]
    assert [(r.location, r.cursor) for r in records] == [("line 5", "1"), ("line 8", "2")]
    assert rows(read(path, cursor="1")) == [{"name": "B", "n": "2"}]


def test_csv_duplicate_and_blank_header_names_made_unique(tmp_path: Path) -> None:
    path = write(tmp_path / "h.csv", "name, name ,,city,name,\n1,2,3,4,5,6\n")
    assert rows(read(path)) == [
        {
            "name": "1",
            "name_2": "2",
            "column_3": "3",
            "city": "4",
            "name_3": "5",
            "column_6": "6",
        }
    ]


def test_csv_wrong_field_count_is_an_error_record_and_reading_goes_on(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    records = read(path)
    assert rows(records) == [
        {"a": "1", "b": "2", "c": "3"},
        None,
        None,
        {"a": "10", "b": "11", "c": "12"},
    ]
    short, long = records[1], records[2]
    assert (short.location, short.cursor, short.raw) == ("line 3", "2", b"4,5")
    assert short.error == "row has 2 fields, the header has 3"
    assert (long.location, long.cursor, long.raw) == ("line 4", "3", b"6,7,8,9")
    assert long.error == "row has 4 fields, the header has 3"
    assert records[3].cursor == "4"


def test_csv_error_raw_bytes_keep_the_file_encoding(tmp_path: Path) -> None:
    path = write(tmp_path / "bad1252.csv", "name;city\nAnna;Köln\nZoë;x;y\n", "cp1252")
    records = read(path)
    assert records[1].raw == "Zoë;x;y".encode("cp1252")


def test_csv_gzip(tmp_path: Path) -> None:
    path = tmp_path / "people.csv.gz"
    path.write_bytes(gzip.compress("name;city\nAnna;Köln\nBob;Graz\n".encode("cp1252")))
    assert detect_format(path.name, path.read_bytes()[:65536]) == "csv"
    assert rows(read(path)) == [{"name": "Anna", "city": "Köln"}, {"name": "Bob", "city": "Graz"}]
    assert rows(read(path, cursor="1")) == [{"name": "Bob", "city": "Graz"}]


def test_csv_header_only_and_empty_files_yield_nothing(tmp_path: Path) -> None:
    assert read(write(tmp_path / "h.csv", "a,b,c\n")) == []
    assert read(write(tmp_path / "e.csv", "")) == []


# -- CSV: resuming ------------------------------------------------------------------------


def test_csv_resume_from_every_cursor(tmp_path: Path) -> None:
    text = "n,v\n" + "".join(f"{i},{'x' * i}\n" for i in range(1, 8)) + "bad\n8,y\n"
    path = write(tmp_path / "resume.csv", text)
    everything = read(path)
    assert len(everything) == 9
    for k in range(len(everything) + 2):
        assert read(path, cursor=str(k)) == everything[k:]
    assert read(path, cursor="") == everything


def test_csv_invalid_cursor(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "a\n1\n")
    with pytest.raises(InvalidInput, match="invalid file cursor 'x1'"):
        read(path, cursor="x1")


_cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(
    table=st.lists(st.tuples(_cell, _cell, _cell), max_size=15),
    k=st.integers(min_value=0, max_value=20),
    compressed=st.booleans(),
)
def test_csv_cursor_yields_exactly_the_remaining_records(
    table: list[tuple[str, str, str]], k: int, compressed: bool
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["a", "b", "c"])
    writer.writerows(table)
    data = buffer.getvalue().encode()
    if compressed:
        data = gzip.compress(data)

    def records(cursor: str | None) -> list[RawRecord]:
        options = FormatOptions(delimiter=",", encoding="utf-8")
        return list(read_records("csv", lambda: io.BytesIO(data), cursor=cursor, options=options))

    everything = records(None)
    assert rows(everything) == [dict(zip("abc", row, strict=True)) for row in table]
    assert [r.cursor for r in everything] == [str(i) for i in range(1, len(table) + 1)]
    assert records(str(k)) == everything[k:]


# -- JSON ---------------------------------------------------------------------------------


def test_json_top_level_list(tmp_path: Path) -> None:
    path = write(tmp_path / "l.json", json.dumps([{"id": "a1", "n": 1}, {"n": 2}]))
    records = read(path, "json")
    assert rows(records) == [{"id": "a1", "n": 1}, {"n": 2}]
    assert [(r.location, r.cursor) for r in records] == [("item[0] (a1)", "1"), ("item[1]", "2")]


@pytest.mark.parametrize("key", ["data", "objects", "items", "results", "records", "entities"])
def test_json_object_with_a_list_under_a_known_key(tmp_path: Path, key: str) -> None:
    document = {"meta": {"count": 2}, key: [{"x": 1}, {"x": 2}]}
    records = read(write(tmp_path / "o.json", json.dumps(document)), "json")
    assert rows(records) == [{"x": 1}, {"x": 2}]
    assert records[1].location == f"{key}[1]"


def test_json_single_object(tmp_path: Path) -> None:
    records = read(write(tmp_path / "s.json", '{"name": "Anna", "tags": ["a"]}'), "json")
    assert rows(records) == [{"name": "Anna", "tags": ["a"]}]
    assert (records[0].location, records[0].cursor) == ("document[0]", "1")


def test_json_records_path(tmp_path: Path) -> None:
    document = {"data": [{"ignored": True}], "result": {"hits": [{"a": 1}, {"a": 2}]}}
    path = write(tmp_path / "p.json", json.dumps(document))
    records = read(path, "json", records_path="result.hits")
    assert rows(records) == [{"a": 1}, {"a": 2}]
    assert records[0].location == "result.hits[0]"
    assert rows(read(path, "json", cursor="1", records_path="result.hits")) == [{"a": 2}]


@pytest.mark.parametrize(
    ("records_path", "message"),
    [
        ("result.nope", "the JSON document has no 'result.nope'"),
        ("data.0", "the JSON document has no 'data.0'"),
        ("result", "'result' in the JSON document is not a list"),
    ],
)
def test_json_records_path_missing_or_not_a_list(
    tmp_path: Path, records_path: str, message: str
) -> None:
    document = {"data": [{"a": 1}], "result": {"hits": []}}
    path = write(tmp_path / "p.json", json.dumps(document))
    with pytest.raises(InvalidInput) as caught:
        read(path, "json", records_path=records_path)
    assert caught.value.message == message


def test_json_non_object_items_are_error_records(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.json", json.dumps([{"a": 1}, [1, 2], "text", 3, None, {"b": "ü"}])
    )
    records = read(path, "json")
    assert rows(records) == [{"a": 1}, None, None, None, None, {"b": "ü"}]
    assert [(r.raw, r.error) for r in records[1:5]] == [
        (b"[1, 2]", "expected a JSON object, got list"),
        (b'"text"', "expected a JSON object, got str"),
        (b"3", "expected a JSON object, got int"),
        (b"null", "expected a JSON object, got NoneType"),
    ]
    assert [r.cursor for r in records] == ["1", "2", "3", "4", "5", "6"]


def test_json_invalid_document_is_invalid_input_with_hint(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.json", '[{"a": 1},\n {"b": ')
    with pytest.raises(InvalidInput) as caught:
        read(path, "json")
    assert caught.value.message.startswith("the file is not valid JSON: ")
    assert "line 2" in caught.value.message
    assert caught.value.hint is not None
    assert "JSON Lines" in caught.value.hint


def test_json_scalar_document_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="an object or a list of objects"):
        read(write(tmp_path / "n.json", "42"), "json")


def test_json_gzip_and_bom(tmp_path: Path) -> None:
    path = tmp_path / "g.json.gz"
    path.write_bytes(gzip.compress(codecs.BOM_UTF8 + json.dumps({"rows": [{"a": "ü"}]}).encode()))
    assert detect_format(path.name, path.read_bytes()) == "json"
    assert rows(read(path, "json")) == [{"a": "ü"}]


def test_stix_bundle_read_as_json_objects(tmp_path: Path) -> None:
    bundle = {
        "type": "bundle",
        "id": "bundle--1",
        "objects": [
            {"type": "malware", "id": "malware--1", "spec_version": "2.1", "name": "X"},
            {"type": "tool", "id": "tool--2", "spec_version": "2.1", "name": "Y"},
        ],
    }
    path = write(tmp_path / "b.json", json.dumps(bundle, indent=2))
    assert detect_format(path.name, path.read_bytes()) == "stix"
    records = read(path, "stix")
    assert [r.data["name"] for r in records if r.data is not None] == ["X", "Y"]
    assert [r.location for r in records] == ["objects[0] (malware--1)", "objects[1] (tool--2)"]


# -- JSON Lines ---------------------------------------------------------------------------


def test_jsonl_bad_and_non_object_lines_become_error_records(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    path.write_bytes(b'{"a": 1}\n\n{bad json\r\n[1, 2]\n   \n{"b": "\xc3\xbc"}\r\n"s"\n{"c": 3}')
    records = read(path, "jsonl")
    assert rows(records) == [{"a": 1}, None, None, {"b": "ü"}, None, {"c": 3}]
    assert [(r.location, r.cursor) for r in records] == [
        ("line 1", "1"),
        ("line 3", "2"),
        ("line 4", "3"),
        ("line 6", "4"),
        ("line 7", "5"),
        ("line 8", "6"),
    ]
    bad, listed, text = records[1], records[2], records[4]
    assert bad.raw == b"{bad json"
    assert bad.error is not None
    assert bad.error.startswith("not valid JSON: ")
    assert (listed.raw, listed.error) == (b"[1, 2]", "expected a JSON object, got list")
    assert (text.raw, text.error) == (b'"s"', "expected a JSON object, got str")


def test_jsonl_resume_from_cursor(tmp_path: Path) -> None:
    lines = [json.dumps({"n": i}) for i in range(5)]
    lines.insert(2, "")
    lines.insert(3, "oops")
    path = write(tmp_path / "r.ndjson", "\n".join(lines) + "\n")
    everything = read(path, "jsonl")
    assert len(everything) == 6
    for k in range(8):
        assert read(path, "jsonl", cursor=str(k)) == everything[k:]
    assert rows(read(path, "jsonl", cursor="3")) == [{"n": 2}, {"n": 3}, {"n": 4}]


def test_jsonl_gzip(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"a": 1}\nnope\n{"a": 2}\n'))
    assert detect_format(path.name, path.read_bytes()) == "jsonl"
    records = read(path, "jsonl")
    assert rows(records) == [{"a": 1}, None, {"a": 2}]
    assert records[1].raw == b"nope"


def test_ftm_lines_detected_and_read(tmp_path: Path) -> None:
    entity = {"id": "p1", "schema": "Person", "properties": {"name": ["Anna"]}}
    path = write(tmp_path / "e.jsonl", json.dumps(entity) + "\n")
    assert detect_format(path.name, path.read_bytes()) == "ftm"
    assert rows(read(path, "ftm")) == [entity]


# -- XLSX ---------------------------------------------------------------------------------


def _workbook(path: Path) -> Path:
    book = Workbook()
    people = book.active
    assert people is not None
    people.title = "People"
    people.append(["name", "count", "ratio", "born", "active", "empty", "seen"])
    people.append(
        ["Anna", 3, 2.5, dt.date(2024, 1, 31), True, None, dt.datetime(2024, 1, 31, 12, 30)]
    )
    people.append([None, None, None])
    people.append(
        ["  Bob ", 3.0, -1.25, dt.datetime(2020, 2, 29), False, "", dt.datetime(2024, 2, 1)]
    )
    places = book.create_sheet("Places")
    places.append([])
    places.append(["city", "city", None])
    places.append(["Köln", "Cologne", 50667])
    book.save(path)
    return path


def test_xlsx_typed_cells_rendered_as_text(tmp_path: Path) -> None:
    records = read(_workbook(tmp_path / "book.xlsx"), "xlsx", sheet="People")
    assert rows(records) == [
        {
            "name": "Anna",
            "count": "3",
            "ratio": "2.5",
            "born": "2024-01-31",
            "active": "true",
            "empty": "",
            "seen": "2024-01-31T12:30:00",
        },
        {
            "name": "Bob",
            "count": "3",
            "ratio": "-1.25",
            "born": "2020-02-29",
            "active": "false",
            "empty": "",
            "seen": "2024-02-01",
        },
    ]
    assert [(r.location, r.cursor) for r in records] == [
        ("sheet 'People' row 2", "1"),
        ("sheet 'People' row 4", "2"),
    ]


def test_xlsx_all_sheets_by_default(tmp_path: Path) -> None:
    records = read(_workbook(tmp_path / "book.xlsx"), "xlsx")
    assert [r.location for r in records] == [
        "sheet 'People' row 2",
        "sheet 'People' row 4",
        "sheet 'Places' row 3",  # the header is the first non-empty row
    ]
    assert rows(records)[2] == {"city": "Köln", "city_2": "Cologne", "column_3": "50667"}
    assert [r.cursor for r in records] == ["1", "2", "3"]


def test_xlsx_one_sheet_and_unknown_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    assert rows(read(path, "xlsx", sheet="Places")) == [
        {"city": "Köln", "city_2": "Cologne", "column_3": "50667"}
    ]
    with pytest.raises(InvalidInput) as caught:
        read(path, "xlsx", sheet="Nope")
    assert caught.value.message == "the workbook has no sheet 'Nope'"
    assert caught.value.hint == "its sheets are ['People', 'Places']"


def test_xlsx_resume_from_cursor_across_sheets(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx")
    everything = read(path, "xlsx")
    for k in range(5):
        assert read(path, "xlsx", cursor=str(k)) == everything[k:]
    assert [r.location for r in read(path, "xlsx", cursor="2")] == ["sheet 'Places' row 3"]


def test_xlsx_short_rows_are_padded(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["a", "b", "c"])
    sheet.append(["1"])
    path = tmp_path / "short.xlsx"
    book.save(path)
    assert rows(read(path, "xlsx")) == [{"a": "1", "b": "", "c": ""}]


@pytest.mark.parametrize("content", [b"PK\x03\x04not really a zip", b"name,city\nA,B\n", b""])
def test_xlsx_corrupt_file_is_invalid_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        read(path, "xlsx")
    assert caught.value.message.startswith("the file is not a readable XLSX workbook")
    assert caught.value.hint is not None
    assert "CSV" in caught.value.hint


# -- format detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.csv", "csv"),
        ("A.CSV", "csv"),
        ("a.tsv", "csv"),
        ("notes.txt", "csv"),
        ("dir.v2/report.2024.csv", "csv"),
        ("a.json", "json"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.xlsx", "xlsx"),
        ("a.xlsm", "xlsx"),
        ("a.ftm", "ftm"),
        ("a.stix", "stix"),
        ("https://example.org/export.csv?token=abc.json", "csv"),
    ],
)
def test_detect_format_by_extension(name: str, expected: str) -> None:
    assert detect_format(name, b"") == expected


def test_detect_format_through_gzip() -> None:
    assert detect_format("a.csv.gz", gzip.compress(b"a,b\n1,2\n")) == "csv"
    assert detect_format("a.xlsx.gz", gzip.compress(b"PK")) == "xlsx"
    bundle = json.dumps({"type": "bundle", "objects": []}).encode()
    assert detect_format("a.json.gz", gzip.compress(bundle)) == "stix"
    entity = json.dumps({"id": "x", "schema": "Person", "properties": {}}).encode() + b"\n"
    assert detect_format("a.jsonl.gz", gzip.compress(entity)) == "ftm"


def test_detect_stix_and_ftm_by_content() -> None:
    pretty = json.dumps({"type": "bundle", "id": "bundle--1", "objects": []}, indent=4)
    assert detect_format("x.json", pretty.encode()) == "stix"
    objects_first = '{"objects": [{"type": "malware", "spec_version": "2.1"}]}'
    assert detect_format("x.json", objects_first.encode()) == "stix"
    assert detect_format("x.json", b'{"type": "report", "objects": []}') == "json"
    assert detect_format("x.json", b'[{"a": 1}]') == "json"
    ftm = b'{"id": "a", "schema": "Company", "properties": {"name": ["X"]}}\n{"id": "b"}\n'
    assert detect_format("x.jsonl", ftm) == "ftm"
    assert detect_format("x.jsonl", b'{"schema": "Company"}\n') == "jsonl"
    assert detect_format("x.jsonl", b"not json\n") == "jsonl"


@pytest.mark.parametrize("name", ["data.parquet", "archive.gz", "README", "x.json.bz2"])
def test_detect_format_unknown_extension(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        detect_format(name, b"")
    assert caught.value.message == f"cannot tell the format of {name!r} from its name"
    assert caught.value.hint is not None
    assert "--format" in caught.value.hint
    assert "csv, json, jsonl, xlsx, stix, ftm" in caught.value.hint


def test_read_records_unknown_format(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "a\n1\n")
    with pytest.raises(InvalidInput, match="unknown format 'parquet'"):
        read(path, "parquet")


def test_file_input_detects_and_reads(tmp_path: Path) -> None:
    path = tmp_path / "people.csv.gz"
    path.write_bytes(gzip.compress(b"name|n\nAnna|1\n"))
    source = file_input(path, None, FormatOptions())
    assert source.format == "csv"
    assert rows(list(source.read(None))) == [{"name": "Anna", "n": "1"}]
    bundle = write(tmp_path / "b.json", json.dumps({"type": "bundle", "objects": []}))
    assert file_input(bundle, None, FormatOptions()).format == "stix"
    with pytest.raises(InvalidInput, match="--format"):
        file_input(write(tmp_path / "x.dat", "a"), None, FormatOptions())


def test_format_options_to_dict() -> None:
    options = FormatOptions(encoding="latin-1", delimiter=";", records_path="a.b")
    assert options.to_dict() == {"encoding": "latin-1", "delimiter": ";", "records_path": "a.b"}
    assert FormatOptions().to_dict() == {}


def test_truncated_gzip_stops_with_a_clear_error() -> None:
    whole = gzip.compress(b"".join(b'{"a": %d}\n' % i for i in range(20_000)))
    seen: list[int] = []

    def consume() -> None:
        for record in read_records(
            "jsonl", lambda: io.BytesIO(whole[: len(whole) // 2]), cursor=None,
            options=FormatOptions(),
        ):  # fmt: skip
            assert record.data is not None
            seen.append(record.data["a"])

    with pytest.raises(InvalidInput, match="corrupt or truncated"):
        consume()
    assert seen  # everything before the damage came through, in order
    assert seen == list(range(len(seen)))
