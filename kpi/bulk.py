"""Writing many rows at once on PostgreSQL: COPY into a temporary table, then one INSERT …
ON CONFLICT DO UPDATE (what `bulk_create(update_conflicts=True)` does, without building a
model instance and compiling a parameter for every value); a batch of rows none of which is
stored yet straight into the table by one binary COPY; and the lock that lets one import of a
solution's rows at a time check what is stored and write."""

import csv
import io
import struct
import zlib
from datetime import UTC, datetime

from django.db import connection

from .deadlines import EPOCH, MICROSECOND

# PostgreSQL's binary COPY: a signature, flags and header extension length, then per row the
# number of fields and each field as its length (-1 for NULL) and bytes; a trailer of -1.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_NULL = struct.pack(">i", -1)
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # binary timestamptz: microseconds since then
_LENGTH = struct.Struct(">i").pack
_BIGINT = struct.Struct(">iq").pack
_INTEGER = struct.Struct(">ii").pack
_SMALLINT = struct.Struct(">ih").pack
_TRUE, _FALSE = struct.pack(">ib", 1, 1), struct.pack(">ib", 1, 0)


def _text(value) -> bytes:
    encoded = value.encode()
    return _LENGTH(len(encoded)) + encoded


def _integer(pack, size):
    return lambda value: pack(size, value)


_ENCODERS = {
    "bigint": _integer(_BIGINT, 8),
    "integer": _integer(_INTEGER, 4),
    "smallint": _integer(_SMALLINT, 2),
    "boolean": lambda value: _TRUE if value else _FALSE,
    "timestamp with time zone": lambda value: _BIGINT(8, (value - _PG_EPOCH) // MICROSECOND),
    "text": _text,
}


def _encoder(field):
    """How a value of `field` is written in a binary COPY (its length first); None when the
    column's type is not one of those handled here."""
    kind = field.db_type(connection)
    if kind.startswith("varchar(") and kind.endswith(")"):
        return _text
    return _ENCODERS.get(kind)


def _staged(rows, times: frozenset[int]):
    """Rows with their times as microseconds since the epoch: formatting an aware datetime as
    text costs more than the whole rest of the row, an integer almost nothing."""
    for row in rows:
        yield [
            (value - EPOCH) // MICROSECOND if index in times and value is not None else value
            for index, value in enumerate(row)
        ]


def lock_solutions(model, solution_ids) -> None:
    """Wait, until the end of the current transaction, for any other import of `model` rows
    of these solutions to finish (PostgreSQL advisory locks, taken in order so that two
    imports never wait for each other). Take it before reading what is stored: two imports of
    the same new batch then run one after the other, and the second sees the first's rows
    (committed) instead of inserting them again into a duplicate-key error. Elsewhere
    (SQLite) writers already take turns on the whole database."""
    if connection.vendor != "postgresql":
        return
    # One lock space per table; a solution id beyond 32 bits shares a lock, which only
    # makes two imports wait for each other.
    space = zlib.crc32(model._meta.db_table.encode()) & 0x7FFFFFFF
    with connection.cursor() as cursor:
        for solution_id in sorted(set(solution_ids)):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [space, solution_id & 0x7FFFFFFF]
            )


def upsert(model, fields, unique, update, rows) -> int | None:
    """INSERT … ON CONFLICT DO UPDATE of many rows (what bulk_create(update_conflicts=True)
    does), fed by COPY through a temporary table; how many rows existed before, or None where
    not available."""
    if connection.vendor != "postgresql":
        return None
    meta, quote = model._meta, connection.ops.quote_name
    column = {name: quote(meta.get_field(name).column) for name in (*fields, *update)}
    columns = ", ".join(column[name] for name in fields)
    table, staging = quote(meta.db_table), "pg_temp." + quote(f"import_{meta.db_table}")
    times = frozenset(
        index
        for index, name in enumerate(fields)
        if meta.get_field(name).get_internal_type() == "DateTimeField"
    )
    # The staging table has the target's columns, times as bigint microseconds.
    staged_types = ", ".join(
        f"{column[name]} bigint"
        if index in times
        else f"{column[name]} {meta.get_field(name).db_type(connection)}"
        for index, name in enumerate(fields)
    )
    selected = ", ".join(
        f"timestamptz 'epoch' + {column[name]} * interval '1 microsecond'"
        if index in times
        else column[name]
        for index, name in enumerate(fields)
    )
    buffer = io.StringIO()
    # Strings are quoted, and so is None (as ""): FORCE_NULL reads it as NULL in the columns
    # that may be NULL, none of which holds text.
    nullable = ", ".join(column[name] for name in fields if meta.get_field(name).null)
    options = f"FORMAT csv, FORCE_NULL ({nullable})" if nullable else "FORMAT csv"
    csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(
        _staged(rows, times)
    )
    buffer.seek(0)
    keys = ", ".join(meta.get_field(name).column for name in unique)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ({staged_types})")
        cursor.cursor.copy_expert(f"COPY {staging} ({columns}) FROM STDIN WITH ({options})", buffer)
        cursor.execute(f"SELECT count(*) FROM {staging} JOIN {table} USING ({keys})")
        (existing,) = cursor.fetchone()
        conflict = (
            f" ON CONFLICT ({', '.join(column[name] for name in unique)}) DO UPDATE SET "
            + ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in update)
            if existing
            else ""
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {selected} FROM {staging}{conflict}"
        )
        cursor.execute(f"DROP TABLE {staging}")
    return existing


def array_literal(values) -> str:
    """A PostgreSQL array literal of the values as text: one parameter that the server
    parses, instead of a list that psycopg2 adapts value by value into an ARRAY[…]."""
    quoted = (str(value).replace("\\", "\\\\").replace('"', '\\"') for value in values)
    return "{" + ",".join(f'"{value}"' for value in quoted) + "}"


def stored(model, unique, keys) -> int:
    """How many of `keys` (tuples of the `unique` fields' values) are stored already (one
    query, PostgreSQL)."""
    meta, quote = model._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in unique]
    columns = ", ".join(quote(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    keys = list(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {quote(meta.db_table)} "
            f"JOIN unnest({arrays}) AS keys ({columns}) USING ({columns})",
            [array_literal(key[n] for key in keys) for n in range(len(fields))],
        )
        (found,) = cursor.fetchone()
    return found


def insert_or_upsert(model, fields, unique, update, rows) -> int | None:
    """`upsert`, but a batch none of whose rows is stored yet (the usual import of new rows)
    goes straight into the table by one binary COPY, without the temporary table and the
    `INSERT … SELECT`. How many rows existed before, or None where not available (not
    PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    meta = model._meta
    encoders = [_encoder(meta.get_field(name)) for name in fields]
    if None in encoders:
        return upsert(model, fields, unique, update, rows)
    positions = [fields.index(name) for name in unique]
    existing = stored(model, unique, [tuple(row[i] for i in positions) for row in rows])
    if existing:
        return upsert(model, fields, unique, update, rows)
    buffer = io.BytesIO()
    buffer.write(_COPY_HEADER)
    count = struct.pack(">h", len(fields))
    pairs = list(enumerate(encoders))
    write = buffer.write
    for row in rows:
        write(count + b"".join(_NULL if row[i] is None else encode(row[i]) for i, encode in pairs))
    write(_COPY_TRAILER)
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT binary)", buffer
        )
    return 0
