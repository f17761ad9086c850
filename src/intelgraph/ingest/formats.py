"""Parsing file formats into raw records: CSV, JSON, JSON Lines, XLSX (and gzip).

Every reader takes a function that opens the input as a binary stream (so the
same code serves local files, S3 objects and downloads), resumes from a cursor
(the number of records already consumed), and reports records it cannot parse
as error records rather than stopping, so one bad line never costs the rest.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import IO, Any, cast

from intelgraph.errors import InvalidInput
from intelgraph.ingest.records import RawRecord

Opener = Callable[[], IO[bytes]]

FORMATS = ("csv", "json", "jsonl", "xlsx", "stix", "ftm")
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".ftm": "ftm",
    ".stix": "stix",
}
_SAMPLE = 64 * 1024
_MAX_JSON_DOCUMENT = 1024 * 1024 * 1024  # a whole-document JSON file is held in memory
_LIST_KEYS = ("objects", "data", "items", "results", "records", "entities", "rows")
csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class FormatOptions:
    """How to parse an input; None means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    quotechar: str | None = None
    sheet: str | None = None
    records_path: str | None = None

    def to_dict(self) -> dict[str, str]:
        return {
            name: value
            for name in ("encoding", "delimiter", "quotechar", "sheet", "records_path")
            if (value := getattr(self, name)) is not None
        }


def detect_format(name: str, head: bytes) -> str:
    """The format of an input from its name, looking inside for JSON flavours."""
    path = PurePosixPath(name.split("?", 1)[0].lower())
    suffixes = path.suffixes
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
        head = _gunzip_head(head)
    fmt = _EXTENSIONS.get(suffixes[-1]) if suffixes else None
    if fmt == "json" and _looks_like_stix(head):
        return "stix"
    if fmt == "jsonl" and _looks_like_ftm(head):
        return "ftm"
    if fmt is None:
        raise InvalidInput(
            f"cannot tell the format of {name!r} from its name",
            hint=f"pass --format, one of {', '.join(FORMATS)}",
        )
    return fmt


def _gunzip_head(head: bytes) -> bytes:
    try:
        return gzip.GzipFile(fileobj=io.BytesIO(head)).read(_SAMPLE)
    except (OSError, EOFError):
        return b""


def _looks_like_stix(head: bytes) -> bool:
    text = head[:4096].decode("utf-8", "ignore").replace(" ", "").replace("\n", "")
    return '"type":"bundle"' in text or ('"objects":[' in text and '"spec_version"' in text)


def _looks_like_ftm(head: bytes) -> bool:
    line = head.split(b"\n", 1)[0]
    try:
        first = json.loads(line)
    except ValueError:
        return False
    return isinstance(first, dict) and "schema" in first and "properties" in first


def read_records(
    fmt: str, open_stream: Opener, *, cursor: str | None, options: FormatOptions
) -> Iterator[RawRecord]:
    """Records of one input in ``fmt`` after ``cursor`` (a count of records consumed)."""
    skip = _skip_count(cursor)
    if fmt == "csv":
        records = _read_csv(open_stream, skip, options)
    elif fmt in ("json", "stix"):
        records = _read_json(open_stream, skip, options)
    elif fmt in ("jsonl", "ftm"):
        records = _read_jsonl(open_stream, skip)
    elif fmt == "xlsx":
        records = _read_xlsx(open_stream, skip, options)
    else:
        raise InvalidInput(f"unknown format {fmt!r}", hint=f"use one of {', '.join(FORMATS)}")
    return _unbroken(records)


def _unbroken(records: Iterator[RawRecord]) -> Iterator[RawRecord]:
    """A truncated or corrupt compressed stream stops the input with a clear error (the
    records before it are already stored, and the checkpoint says where it stopped)."""
    try:
        yield from records
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise InvalidInput(
            f"the compressed input is corrupt or truncated: {exc}",
            hint="fetch the file again; the records before the damage are loaded",
        ) from None


def _skip_count(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit():
        raise InvalidInput(f"invalid file cursor {cursor!r}")
    return int(cursor)


class _Replay(io.RawIOBase):
    """A stream that gives ``head`` (already read from ``rest``) again, then the rest."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def _with_sample(stream: IO[bytes]) -> tuple[bytes, IO[bytes]]:
    """The first ``_SAMPLE`` bytes (all of them: fewer only at the end of the input) and
    a stream that reads from the start again. ``peek`` would give only one buffer's worth,
    which cuts multi-byte characters and misleads encoding detection."""
    head = stream.read(_SAMPLE)
    return head, cast(IO[bytes], io.BufferedReader(_Replay(head, stream)))


def _maybe_gunzip(stream: IO[bytes]) -> IO[bytes]:
    """The stream itself, or a decompressing view when it starts with the gzip magic."""
    buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(cast(Any, stream))
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
    return cast(IO[bytes], buffered)


# -- CSV -----------------------------------------------------------------------------


def _detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        cut = exc.reason == "unexpected end of data" and exc.start >= len(sample) - 3
        if cut and len(sample) >= _SAMPLE:  # the sample ends mid-character
            return "utf-8"
    if _looks_like_cp1252(sample):
        return "cp1252"
    from charset_normalizer import from_bytes  # imported lazily: only for non-UTF-8 input

    best = from_bytes(sample).best()
    return best.encoding if best is not None else "cp1252"


_CP1252_PUNCTUATION = frozenset("€‚„…†‡‰‹›‘’“”•–—˜™¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿×÷\xa0")


def _looks_like_cp1252(sample: bytes) -> bool:
    """Western text in Windows-1252/Latin-1: its non-ASCII characters are accented Latin
    letters (a minority of the letters) or typographic punctuation. charset_normalizer
    guesses CJK code pages for short samples of German or French text in cp1252."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    accented = ascii_letters = 0
    for char in text:
        if char.isascii():
            ascii_letters += char.isalpha()
        elif char.isalpha():
            accented += 1
        elif char not in _CP1252_PUNCTUATION:
            return False
    return accented <= max(ascii_letters, 1) // 3


def _detect_dialect(text: str, options: FormatOptions) -> tuple[str, str]:
    delimiter, quotechar = options.delimiter, options.quotechar or '"'
    if delimiter is None:
        try:
            sniffed = csv.Sniffer().sniff(text, delimiters=",;\t|")
            delimiter = sniffed.delimiter
            if options.quotechar is None and sniffed.quotechar in ("'", '"'):
                quotechar = sniffed.quotechar
        except csv.Error:  # e.g. a short sample with one ragged row: trust the header line
            header = next((line for line in text.splitlines() if line.strip()), "")
            counts = {c: header.count(c) for c in ",;\t|"}
            delimiter = max(counts, key=lambda c: counts[c]) if any(counts.values()) else ","
    if delimiter == "\\t":
        delimiter = "\t"
    if len(delimiter) != 1 or len(quotechar) != 1:
        raise InvalidInput("CSV delimiter and quote character must be single characters")
    return delimiter, quotechar


def _header(row: list[str]) -> list[str]:
    names: list[str] = []
    for index, cell in enumerate(row):
        name = cell.strip().lstrip("\ufeff") or f"column_{index + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _read_csv(open_stream: Opener, skip: int, options: FormatOptions) -> Iterator[RawRecord]:
    with open_stream() as raw_stream:
        sample, stream = _with_sample(_maybe_gunzip(raw_stream))
        encoding = options.encoding or _detect_encoding(sample)
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InvalidInput(f"unknown text encoding {encoding!r}") from None
        text = io.TextIOWrapper(stream, encoding=encoding, newline="")
        head_text = sample.decode(encoding, "ignore")
        delimiter, quotechar = _detect_dialect(head_text[:16384], options)
        reader = csv.reader(text, delimiter=delimiter, quotechar=quotechar)
        try:
            yield from _csv_rows(reader, skip, delimiter, encoding)
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"the file is not valid {encoding} text near line {reader.line_num + 1}",
                hint="give the right encoding with --encoding (e.g. latin-1, cp1252)",
            ) from exc


def _csv_rows(reader: Any, skip: int, delimiter: str, encoding: str) -> Iterator[RawRecord]:
    header: list[str] | None = None
    consumed = 0
    # Re-encoding must not put a byte-order mark in front of every raw row.
    raw_encoding = "utf-8" if codecs.lookup(encoding).name.startswith("utf-") else encoding
    for row in reader:
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line: not a record (nor the header)
        if header is None:
            header = _header(row)
            continue
        consumed += 1
        if consumed <= skip:
            continue
        location = f"line {reader.line_num}"
        if len(row) != len(header):
            raw = delimiter.join(row).encode(raw_encoding)
            yield RawRecord(
                None,
                location,
                str(consumed),
                raw=raw,
                error=f"row has {len(row)} fields, the header has {len(header)}",
            )
            continue
        yield RawRecord(dict(zip(header, row, strict=True)), location, str(consumed))


# -- JSON and JSON Lines ---------------------------------------------------------------


def _read_json(open_stream: Opener, skip: int, options: FormatOptions) -> Iterator[RawRecord]:
    with open_stream() as raw_stream:
        body = _maybe_gunzip(raw_stream).read(_MAX_JSON_DOCUMENT + 1)
    if len(body) > _MAX_JSON_DOCUMENT:
        raise InvalidInput(
            "this JSON document is larger than 1 GiB",
            hint="convert it to JSON Lines (one object per line) and ingest that",
        )
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise InvalidInput(
            f"the file is not valid JSON: {exc}",
            hint="fix the file, or use JSON Lines so a bad line only loses that line",
        ) from None
    items, prefix = _json_items(document, options.records_path)
    for index, item in enumerate(items):
        if index < skip:
            continue
        cursor = str(index + 1)
        if isinstance(item, dict):
            label = item.get("id") if isinstance(item.get("id"), str) else None
            location = f"{prefix}[{index}]" + (f" ({label})" if label else "")
            yield RawRecord(item, location, cursor)
        else:
            yield RawRecord(
                None,
                f"{prefix}[{index}]",
                cursor,
                raw=json.dumps(item, ensure_ascii=False).encode(),
                error=f"expected a JSON object, got {type(item).__name__}",
            )


def _json_items(document: Any, path: str | None) -> tuple[list[Any], str]:
    if path:
        node = document
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise InvalidInput(f"the JSON document has no {path!r}")
            node = node[part]
        if not isinstance(node, list):
            raise InvalidInput(f"{path!r} in the JSON document is not a list")
        return node, path
    if isinstance(document, list):
        return document, "item"
    if isinstance(document, dict):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key], key
        return [document], "document"
    raise InvalidInput("a JSON input must hold an object or a list of objects")


def _read_jsonl(open_stream: Opener, skip: int) -> Iterator[RawRecord]:
    with open_stream() as raw_stream:
        stream = _maybe_gunzip(raw_stream)
        consumed = 0
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            consumed += 1
            if consumed <= skip:
                continue
            location, cursor = f"line {number}", str(consumed)
            try:
                item = json.loads(line)
            except ValueError as exc:
                yield RawRecord(
                    None, location, cursor, raw=line.rstrip(b"\r\n"), error=f"not valid JSON: {exc}"
                )
                continue
            if not isinstance(item, dict):
                yield RawRecord(
                    None,
                    location,
                    cursor,
                    raw=line.rstrip(b"\r\n"),
                    error=f"expected a JSON object, got {type(item).__name__}",
                )
                continue
            yield RawRecord(item, location, cursor)


# -- XLSX ----------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.isoformat()
            if (value.hour, value.minute, value.second) != (0, 0, 0)
            else value.date().isoformat()
        )
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip() if isinstance(value, str) else str(value)


def _read_xlsx(open_stream: Opener, skip: int, options: FormatOptions) -> Iterator[RawRecord]:
    from python_calamine import CalamineWorkbook  # imported lazily: a native extension

    with open_stream() as stream:
        content = stream.read()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise InvalidInput(
            f"the file is not a readable XLSX workbook: {exc}",
            hint="open and re-save it in a spreadsheet program, or export the sheet to CSV",
        ) from None
    names = workbook.sheet_names
    if options.sheet is not None:
        if options.sheet not in names:
            raise InvalidInput(
                f"the workbook has no sheet {options.sheet!r}", hint=f"its sheets are {names}"
            )
        names = [options.sheet]
    consumed = 0
    for name in names:
        rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        header: list[str] | None = None
        for number, row in enumerate(rows, start=1):
            cells = [_cell_text(v) for v in row]
            if header is None:
                if any(cells):
                    header = _header(cells)
                continue
            if not any(cells):
                continue
            consumed += 1
            if consumed <= skip:
                continue
            padded = cells + [""] * (len(header) - len(cells))
            data: Mapping[str, Any] = dict(zip(header, padded[: len(header)], strict=True))
            yield RawRecord(data, f"sheet {name!r} row {number}", str(consumed))


__all__ = ["FORMATS", "FormatOptions", "Opener", "detect_format", "read_records"]
