"""Key rotation for the encrypted columns and their blind indexes (`fengqiao rotate_keys`).

Walks every model with an `EncryptedTextField` (found through the app registry, so a new
encrypted column is covered without touching this file) in primary-key order, in batches. Each
batch is one transaction, its rows locked (PostgreSQL): every value is opened with the new key if
it already is under it, else with the old key, and written back under the new key, and every
`<field>_index` column beside it is recomputed with the current blind-index key. A batch is
written whole or not at all; a run that stops (an error, Ctrl-C) leaves whole batches done, and
running again finishes the rest — values already under the new key are only re-read.

The raw column text is read and written with plain SQL: the ORM would decrypt on the way out with
the settings' key, which is the point in question here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from django.db import connection, transaction
from django.db.models import Field, Model

from fengqiao.lib.protect import blind_index, decrypt, encrypt, encrypted_columns


class RotationError(Exception):
    pass


@dataclass
class Rotated:
    rows: int = 0  # rows read
    reencrypted: int = 0  # values moved from the old key to the new one
    reindexed: int = 0  # blind indexes that changed
    tables: dict[str, int] = field(default_factory=dict)


def total_rows() -> int:
    return sum(model._base_manager.count() for model, _names, _idx in encrypted_columns())


def rotate(*, old_key: bytes, new_key: bytes, index_key: bytes, batch: int = 1000,
           progress: Callable[[int], None] | None = None) -> Rotated:
    """Move every encrypted value to `new_key` and every blind index to `index_key`."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    done = Rotated()
    qn = connection.ops.quote_name
    for model, names, indexes in encrypted_columns():
        meta = model._meta
        table, pk = meta.db_table, _column(model, meta.pk.name)
        enc_cols = [_column(model, n) for n in names]
        idx_cols = {_column(model, n): _column(model, i) for n, i in indexes.items()}
        select_cols = [pk, *enc_cols, *idx_cols.values()]
        select = (f"SELECT {', '.join(qn(c) for c in select_cols)} FROM {qn(table)} "
                  f"WHERE {qn(pk)} > %s ORDER BY {qn(pk)} LIMIT %s")
        first = (f"SELECT {', '.join(qn(c) for c in select_cols)} FROM {qn(table)} "
                 f"ORDER BY {qn(pk)} LIMIT %s")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        last = None
        seen = 0
        while True:
            with transaction.atomic():
                with connection.cursor() as cur:
                    if last is None:
                        cur.execute(first + lock, [batch])
                    else:
                        cur.execute(select + lock, [last, batch])
                    rows = cur.fetchall()
                    for row in rows:
                        values = dict(zip(select_cols, row, strict=True))
                        changes = _rotate_row(values, table=table, pk=pk, enc_cols=enc_cols,
                                              idx_cols=idx_cols, old_key=old_key, new_key=new_key,
                                              index_key=index_key, done=done)
                        if changes:
                            sets = ", ".join(f"{qn(c)} = %s" for c in changes)
                            cur.execute(f"UPDATE {qn(table)} SET {sets} WHERE {qn(pk)} = %s",
                                        [*changes.values(), values[pk]])
            if not rows:
                break
            last = rows[-1][0]
            seen += len(rows)
            done.rows += len(rows)
            if progress is not None:
                progress(len(rows))
        done.tables[table] = seen
    return done


def _column(model: type[Model], name: str) -> str:
    f = model._meta.get_field(name)
    assert isinstance(f, Field) and f.column
    return f.column


def _rotate_row(values: dict, *, table: str, pk: str, enc_cols: list[str], idx_cols: dict[str, str],
                old_key: bytes, new_key: bytes, index_key: bytes, done: Rotated) -> dict[str, str]:
    changes: dict[str, str] = {}
    for col in enc_cols:
        token = values[col]
        if not token:
            plain = ""
        else:
            try:
                plain = decrypt(token, key=new_key)  # rotated already (a run before this one)
            except InvalidTag:
                try:
                    plain = decrypt(token, key=old_key)
                except InvalidTag:
                    raise RotationError(
                        f"{table}.{col} of row {pk}={values[pk]} opens with neither the old key nor "
                        "the new one; nothing of this batch was written") from None
                changes[col] = encrypt(plain, key=new_key)
                done.reencrypted += 1
            except ValueError as exc:
                raise RotationError(f"{table}.{col} of row {pk}={values[pk]}: {exc}") from None
        index_col = idx_cols.get(col)
        if index_col is not None:
            index = blind_index(plain, key=index_key)
            if (values[index_col] or "") != index:
                changes[index_col] = index
                done.reindexed += 1
    return changes
