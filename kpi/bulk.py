"""Writing many rows at once on PostgreSQL: COPY into a temporary table, then one INSERT …
ON CONFLICT DO UPDATE (what `bulk_create(update_conflicts=True)` does, without building a
model instance and compiling a parameter for every value); and the lock that lets one import
of a solution's rows at a time check what is stored and write."""

import csv
import io
import zlib

from django.db import connection

from .deadlines import EPOCH, MICROSECOND


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
