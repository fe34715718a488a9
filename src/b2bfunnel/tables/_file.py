"""Reading CSV files as CRMs and spreadsheets write them.

:func:`open_table` works out a file's encoding (UTF-8, UTF-8 or UTF-16 with a BOM,
else Windows-1252 with a note) and delimiter (``,`` ``;`` tab ``|``, sniffed from the
header), checks the header (no duplicates; a blank header only over an empty column),
renames mapped columns to the fields they stand for, and streams rows as
``(line, {column: text})`` with blank cells dropped. A bad row does not stop the
reading: it is handed to a :class:`BadRows`, which reports every one at the end (or
counts the skipped ones).

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "leads.csv"
>>> _ = path.write_bytes("Record ID;Empleados\\nL1;1.200\\n".encode("cp1252"))
>>> table = open_table(path, columns={"id": "Record ID"}, decimal=",")
>>> table.delimiter, list(table)
(';', [(2, {'id': 'L1', 'Empleados': '1,200'})])
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InvalidInputError
from ._columns import missing_column

__all__ = ["BadRows", "Table", "open_table"]

DELIMITERS = (",", ";", "\t", "|")
FALLBACK_ENCODING = "cp1252"
_CHUNK = 1 << 20
# Plain files are split a block of this many bytes at a time (measured fastest: the
# lines of a bigger block fall out of the processor's cache before they are read).
_BLOCK = 1 << 16
# A cell made only of digits, grouping, signs, range dashes and currency: the one kind
# of cell whose "." and "," swap meaning under ``decimal=","``.
_NUMBERISH = re.compile(
    r"[\d\s.,'+\-\u2013\u2014\u20ac$\u00a3\u00a5%]*\d[\d\s.,'+\-\u2013\u2014\u20ac$\u00a3\u00a5%]*"
)
_SWAP = str.maketrans(".,", ",.")

PROGRESS_EVERY = 1 << 16

# The longest cell read (the csv module's default, 128 KiB, is less than some CRMs'
# notes fields). Set around each read and restored after: never for the process.
FIELD_SIZE = 1 << 24
# A byte that did not decode, as the "surrogateescape" error handler writes it.
_ESCAPED = re.compile("[\udc80-\udcff]")
# A valid multi-byte UTF-8 sequence: a file holding one is UTF-8 with some bad lines,
# not a Windows-1252 file.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@contextmanager
def _big_fields() -> Iterator[None]:
    """Cells up to :data:`FIELD_SIZE` for the csv module, restored on the way out."""
    before = csv.field_size_limit(FIELD_SIZE)
    try:
        yield
    finally:
        csv.field_size_limit(before)


class BadRows:
    """Collects the bad rows of one or more files, to report them all at once.

    With ``skip=True`` a bad row is only counted; else :meth:`check` raises one
    :class:`InvalidInputError` listing up to ``shown`` of them and the count.
    """

    def __init__(self, *, skip: bool = False, shown: int = 20) -> None:
        self.skip = skip
        self.shown = shown
        self.problems: list[InvalidInputError] = []

    def add(self, error: InvalidInputError) -> None:
        """Record a bad row (its error locates it: file:line:column)."""
        self.problems.append(error)

    @property
    def count(self) -> int:
        """How many bad rows were found."""
        return len(self.problems)

    def check(self) -> None:
        """Raise one error listing the bad rows, unless they are skipped or none."""
        if not self.problems or self.skip:
            return
        lines = [f"  {p}" for p in self.problems[: self.shown]]
        more = self.count - self.shown
        if more > 0:
            lines.append(f"  ... and {more} more")
        noun = "row" if self.count == 1 else "rows"
        raise InvalidInputError(
            f"{self.count} bad {noun} (fix them, or skip them with skip_invalid=True):\n"
            + "\n".join(lines),
            path=file_of(self.problems[0]),
        )


_AT_LINE = re.compile(r"(.*):[0-9]+:", re.DOTALL)


def file_of(error: InvalidInputError) -> str:
    """The file of an error located at ``file:line:field`` or ``file:line``, read from
    its parts (the location part, less its line), so that a colon in the file's own
    name (``C:\\data\\leads.csv``) stays where it is; else the error's whole path.

    >>> print(file_of(InvalidInputError("empty cell", path=r"C:\\data\\leads.csv:12:email")))
    C:\\data\\leads.csv
    """
    parts = error.parts
    location = parts[0] if parts else ""
    if isinstance(location, str):
        found = _AT_LINE.fullmatch(location)
        if found is not None:
            return found[1]
        line = parts[1] if len(parts) == 2 else None
        if location.endswith(":") and isinstance(line, str) and line.isdigit():
            return location[:-1]  # "file:12": the line is the last part
    return error.path


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _first_bad(path: Path, encoding: str = "utf-8") -> tuple[int, int] | None:
    """``(line, byte)`` of the first byte not in ``encoding``, or ``None``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk.count(b"\n", 0, exc.start), chunk[exc.start]
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return line, 0
    return None


def _encoding(path: Path, given: str | None, notes: list[str]) -> tuple[str, str]:
    """The file's encoding, and the decoding error handler: ``"strict"``, or
    ``"surrogateescape"`` for a UTF-8 file with some undecodable lines (those are bad
    rows, see :meth:`Table.cells`)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        raise InvalidInputError(f"cannot read: {exc.strerror}", path=str(path)) from None
    bom = _bom_encoding(head)
    if given:
        try:
            "a".encode(given, "replace")  # a text encoding: not rot13, not zlib
        except (LookupError, TypeError, ValueError):
            raise InvalidInputError(
                f"unknown text encoding {given!r}; e.g. utf-8, cp1252, latin-1, utf-16",
                path="encoding",
            ) from None
        return (bom if bom and codecs.lookup(given).name.startswith("utf") else given), "strict"
    if bom:
        return bom, "strict"
    bad = _first_bad(path)
    if bad is None:
        return "utf-8", "strict"
    line, byte = bad
    if _has_multibyte(path):
        notes.append(
            f"{path}:{line}: not UTF-8 (byte 0x{byte:02X}) though the rest is: lines that "
            "are not UTF-8 are bad rows (pass encoding= to read the file otherwise)"
        )
        return "utf-8", "surrogateescape"
    notes.append(
        f"{path}:{line}: not UTF-8 (byte 0x{byte:02X}); read as Windows-1252 "
        "(pass encoding= to say otherwise)"
    )
    return FALLBACK_ENCODING, "strict"


def _has_multibyte(path: Path) -> bool:
    """Whether the file holds a valid multi-byte UTF-8 sequence."""
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            if _UTF8_MULTIBYTE.search(chunk):
                return True
    return False


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a header line: whichever of ``, ; tab |`` occurs most often
    outside quotes (``,`` on a tie or when none does)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


class Table:
    """An open CSV file: its format, its ``header`` as written, the field name of each
    column (``names``) and its rows.

    Iterating yields ``(line, cells)`` for each good row; bad rows go to ``bad``.
    """

    def __init__(
        self,
        path: Path,
        encoding: str,
        delimiter: str,
        decimal: str,
        header: list[str],
        names: list[str],
        bad: BadRows,
        notes: list[str],
        plain: bool = False,
        data_start: int = 0,
        size: int = 0,
        errors: str = "strict",
    ) -> None:
        self.path = path
        # "surrogateescape": a UTF-8 file with some undecodable lines, which are bad rows.
        self.errors = errors
        # Whether the file holds no quote and no NUL (see :meth:`cells`); then the
        # rows run from byte ``data_start`` (after the header) to ``size``.
        self.plain = plain
        self.data_start = data_start
        self.size = size
        self.header = header
        self.encoding = encoding
        self.delimiter = delimiter
        self.decimal = decimal
        self.names = names
        self.bad = bad
        self.notes = notes
        # Called with the number of rows read so far, every ``progress_every`` rows.
        self.on_progress: Callable[[int], Any] | None = None
        self.progress_every = PROGRESS_EVERY

    @property
    def columns(self) -> list[str]:
        """The field names of the header's non-blank columns."""
        return [name for name in self.names if name]

    def header_of(self, field: str) -> str:
        """The column of ``field`` as the header writes it (``field`` if none)."""
        return self.header[self.names.index(field)] if field in self.names else field

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        names, strip = self.names, str.strip
        if self.decimal == ",":
            for line, cells in self.cells():
                row = {n: t for n, t in zip(names, map(strip, cells), strict=False) if t}
                yield line, {n: comma_decimal(t) for n, t in row.items()}
        else:
            for line, cells in self.cells():
                yield line, {n: t for n, t in zip(names, map(strip, cells), strict=False) if t}

    def cells(self) -> Iterator[tuple[int, list[str]]]:
        """``(line, cells)`` of each good row, the cells as written (not stripped, not
        swapped): for readers that pick columns by position, millions of times."""
        return self._cells(None)

    def _cells(self, span: tuple[int, int] | None) -> Iterator[tuple[int, list[str]]]:
        """:meth:`cells`; ``span`` (byte offsets from :meth:`_spans`, plain tables only)
        reads just the rows between them, with their lines numbered as in the whole
        file (a speed hook of ``b2bfunnel score``, which reads spans in parallel)."""
        width = len(self.names)
        odd = any(not name for name in self.names)  # a blank header: check its cells
        progress, every, count = self.on_progress, self.progress_every, 0
        path = self.path
        if span is not None:
            self._require_plain()
        try:
            blocks = (
                self._plain_blocks(*(span or (self.data_start, self.size)))
                if self.plain
                else self._csv_rows()
            )
            plain, delimiter = self.plain, self.delimiter
            lossy = self.errors != "strict"
            for first, rows in blocks:
                for line, cells in enumerate(rows, start=first):
                    if plain:  # a line, split here: a list of cells per block is slower
                        cells = cells.split(delimiter) if cells else []
                    if progress is not None:
                        count += 1
                        if not count % every:
                            progress(count)
                    if (odd or len(cells) != width) and not self._fits(cells, line):
                        continue
                    if lossy and self._undecoded(cells, line):
                        continue
                    yield line, cells
        except UnicodeDecodeError:
            raise _undecodable(path, self.encoding) from None
        except OSError as exc:
            raise InvalidInputError(f"cannot read: {exc.strerror}", path=str(path)) from None

    def _spans(self, parts: int) -> list[tuple[int, int]]:
        """The rows of a plain table cut into ``parts`` byte ranges of about equal size,
        each starting at a line, for :meth:`_cells` to read apart (fewer ranges for a
        table too small to cut)."""
        self._require_plain()
        cuts = [self.data_start]
        size = self.size
        with open(self.path, "rb") as handle:
            for part in range(1, parts):
                at = _line_after(handle, self.data_start + (size - self.data_start) * part // parts)
                if cuts[-1] < at < size:
                    cuts.append(at)
        cuts.append(size)
        return list(pairwise(cuts))

    def _require_plain(self) -> None:
        if not self.plain:
            raise InvalidInputError(
                "only a plain table (no quote, no NUL byte, ASCII as one byte) is read by "
                "spans; read this one whole",
                path=f"{self.path}",
            )

    def _plain_blocks(self, start: int, stop: int) -> Iterator[tuple[int, list[Any]]]:
        """``(line of the first, lines)`` of the lines from byte ``start`` to ``stop``
        of a file with no quote and no NUL, a block at a time. Each line is one row, to
        be split at the delimiter exactly as the csv module would (an empty line is no
        cells): twice the csv module's speed."""
        encoding = _data_encoding(self.encoding)
        with open(self.path, "rb") as handle:
            line = _line_number(handle, start)
            handle.seek(start)
            left = stop - start
            carry = b""
            while left > 0:
                chunk = handle.read(min(_BLOCK, left))
                left -= len(chunk)
                if chunk and left:
                    data = carry + chunk
                    # Cut after the last line break whose end is known: a CR at the very
                    # end may be half of a CR LF.
                    cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
                    data, carry = data[:cut], data[cut:]
                else:
                    data, carry, left = carry + chunk, b"", 0
                text = data.decode(encoding, self.errors)
                if "\r" in text:
                    text = text.replace("\r\n", "\n").replace("\r", "\n")
                lines = text.split("\n")
                if lines[-1] == "":
                    lines.pop()
                yield line, lines
                line += len(lines)

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """``(first line, [cells])`` of each row after the header, as the csv module
        reads them (a quoted cell may span lines)."""
        with (
            _big_fields(),
            open(self.path, newline="", encoding=self.encoding, errors=self.errors) as handle,
        ):
            reader = csv.reader(handle, delimiter=self.delimiter, strict=True)
            next(reader, None)
            start = 2
            try:
                for cells in reader:
                    line = start
                    start = reader.line_num + 1
                    yield line, [cells]
            except csv.Error as exc:
                raise _csv_error(exc, self.path, start, reader.line_num) from None

    def _undecoded(self, cells: list[str], line: int) -> bool:
        """Whether the row holds bytes that did not decode (then it is a bad row)."""
        for cell in cells:
            found = _ESCAPED.search(cell)
            if found:
                byte = ord(found.group()) - 0xDC00
                self.bad.add(
                    InvalidInputError(
                        f"not {self.encoding} (byte 0x{byte:02X}); give the file's encoding "
                        "with encoding=",
                        path=f"{self.path}:{line}",
                    )
                )
                return True
        return False

    def _fits(self, cells: list[str], line: int) -> bool:
        """Whether a row whose shape differs from the header's is still a row: blank
        lines are not; extra cells or cells under a blank header are bad rows."""
        width = len(self.names)
        if not any(c.strip() for c in cells):
            return False
        if any(c.strip() for c in cells[width:]):
            message = f"{len(cells)} cells but the header has {width} columns"
            self.bad.add(InvalidInputError(message, path=f"{self.path}:{line}"))
            return False
        for index, (name, cell) in enumerate(zip(self.names, cells, strict=False)):
            if not name and cell.strip():
                self.bad.add(
                    InvalidInputError(
                        "a cell under a blank header; name the column",
                        path=f"{self.path}:{line}:column {index + 1}",
                    )
                )
                return False
        return True

    def require(self, fields: Sequence[str]) -> None:
        """Refuse the file if any of ``fields`` has no column."""
        for field in fields:
            if field not in self.names:
                raise missing_column(field, self.header, path=f"{self.path}:1")


def comma_decimal(text: str) -> str:
    """A cell of a ``decimal=","`` file in ``.``-decimal form, if it is a number."""
    return text.translate(_SWAP) if _NUMBERISH.fullmatch(text) else text


def _undecodable(path: Path, encoding: str) -> InvalidInputError:
    line, byte = _first_bad(path, encoding) or (1, 0)
    return InvalidInputError(
        f"cannot be read as {encoding} (byte 0x{byte:02X}); give the file's encoding "
        "with encoding=",
        path=f"{path}:{line}",
    )


def _csv_error(exc: csv.Error, path: Path, line: int, last: int) -> InvalidInputError:
    text = str(exc)
    if "unexpected end of data" in text:
        return InvalidInputError(
            f"unterminated quote: the quoted cell on line {line} never ends "
            f"(the file ends on line {last})",
            path=f"{path}:{line}",
        )
    return InvalidInputError(f"not valid CSV: {text}", path=f"{path}:{line}")


def open_table(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | Callable[[list[str]], Mapping[str, str]] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str = ".",
    bad: BadRows | None = None,
    on_note: Callable[[str], Any] | None = None,
) -> Table:
    """Open a CSV file for reading: see the module's documentation.

    ``columns`` maps field names to the headers that hold them (``{"id": "Record
    ID"}``), or is a function of the header giving that mapping; a mapped header
    missing from the file is an error naming the closest one. ``decimal=","`` reads
    ``1.200,50`` as ``1,200.50`` (cells that are numbers only).
    Notes (such as an encoding fallback) go to ``on_note`` and ``Table.notes``.
    """
    path = Path(path)
    if decimal not in (".", ","):
        raise InvalidInputError(f"expected '.' or ',', got {decimal!r}", path="decimal")
    if delimiter is not None and len(delimiter) != 1:
        raise InvalidInputError(f"expected one character, got {delimiter!r}", path="delimiter")
    notes: list[str] = []
    chosen, errors = _encoding(path, encoding, notes)
    try:
        with _big_fields(), open(path, newline="", encoding=chosen, errors=errors) as handle:
            first = handle.readline()
            handle.seek(0)
            used = delimiter or sniff_delimiter(first)
            reader = csv.reader(handle, delimiter=used, strict=True)
            try:
                header = next(reader, [])
            except csv.Error as exc:
                raise _csv_error(exc, path, 1, reader.line_num) from None
    except UnicodeDecodeError:
        raise _undecodable(path, chosen) from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read: {exc.strerror}", path=str(path)) from None
    header = [cell.strip() for cell in header]
    mapping = columns(header) if callable(columns) else columns
    names = _names(header, dict(mapping or {}), path)
    if on_note is not None:
        for note in notes:
            on_note(note)
    plain = _is_plain(path, chosen)
    start, size = _data_start(path) if plain else (0, 0)
    return Table(
        path, chosen, used, decimal, header, names, bad or BadRows(), notes, plain, start, size,
        errors,
    )  # fmt: skip


# Encodings that write ASCII as ASCII, one byte a character: a byte scan finds quotes.
_ASCII_SAFE = frozenset({"utf-8", "utf-8-sig", "cp1252", "latin-1", "iso8859-1", "ascii"})


def _is_plain(path: Path, encoding: str) -> bool:
    """Whether the file is known to hold no ``"`` and no NUL byte, so that no cell is
    quoted and no row spans lines (a scan at memory speed; ``False`` when unsure)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    if name not in _ASCII_SAFE:
        return False
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                if b'"' in chunk or b"\0" in chunk:
                    return False
    except OSError:
        return False
    return True


def _data_start(path: Path) -> tuple[int, int]:
    """The byte offset after the header line of a plain file, and the file's size."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        return _line_after(handle, 0), size


def _line_after(handle: BinaryIO, offset: int) -> int:
    """The byte offset just after the first line break (LF, CR LF or CR) at or after
    ``offset``; the end of the file if there is none."""
    handle.seek(offset)
    while chunk := handle.read(_BLOCK):
        breaks = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
        if breaks:
            at = offset + min(breaks) + 1
            handle.seek(at - 1)
            if handle.read(2) == b"\r\n":
                at += 1
            return at
        offset += len(chunk)
    return offset


def _line_number(handle: BinaryIO, offset: int) -> int:
    """The line number of the line starting at byte ``offset`` (one after the line
    breaks before it, CR LF counting once)."""
    handle.seek(0)
    line, left, last = 1, offset, b""
    while left > 0 and (chunk := handle.read(min(_BLOCK, left))):
        left -= len(chunk)
        line += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        if last == b"\r" and chunk[:1] == b"\n":
            line -= 1
        last = chunk[-1:]
    return line


def _data_encoding(encoding: str) -> str:
    """The codec that decodes bytes after a file's start (a BOM is only at the start)."""
    return "utf-8" if codecs.lookup(encoding).name == "utf-8-sig" else encoding


def _names(header: list[str], columns: dict[str, str], path: Path) -> list[str]:
    """The field name of each header column: mapped ones renamed, others as they are."""
    seen: dict[str, int] = {}
    for index, name in enumerate(header, start=1):
        if not name:
            continue
        if name in seen:
            raise InvalidInputError(
                f"duplicate column {name!r} (columns {seen[name]} and {index})",
                path=f"{path}:1",
            )
        seen[name] = index
    by_header = {}
    for field, column in columns.items():
        if column not in seen:
            raise missing_column(field, header, path=f"{path}:1", mapped=column)
        by_header[column] = field
    names = [by_header.get(name, name) for name in header]
    renamed = set(by_header.values())
    for name in header:
        if name in renamed and name not in by_header:
            raise InvalidInputError(
                f"column {name!r} and the column mapped to {name!r} are both present; "
                "map or rename one of them",
                path=f"{path}:1",
            )
    return names
