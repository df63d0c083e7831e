"""fengqiao rotate_keys: re-encrypt every encrypted column under FENGQIAO_DATA_KEY and recompute
every blind index with FENGQIAO_BLIND_INDEX_KEY, in batches, resumably (lib/rotation.py)."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from fengqiao.audit import chain as audit
from fengqiao.lib import rotation
from fengqiao.lib.protect import data_key, index_key


class Command(BaseCommand):
    help = ("Move the personal data to the current keys: set FENGQIAO_DATA_KEY (and "
            "FENGQIAO_BLIND_INDEX_KEY) to the new keys and the previous data key in "
            "FENGQIAO_DATA_KEY_OLD (or name another variable with --old-key-env), then run this. "
            "Each batch is all or nothing; run it again to finish after an interruption.")

    def add_arguments(self, parser):
        parser.add_argument("--old-key-env", default="FENGQIAO_DATA_KEY_OLD",
                            help="the environment variable holding the previous data key")
        parser.add_argument("--old-key-derived", action="store_true",
                            help="the data is under the key derived from SECRET_KEY (no FENGQIAO_DATA_KEY was set)")
        parser.add_argument("--reindex-only", action="store_true",
                            help="the data key is unchanged: recompute the blind indexes only")
        parser.add_argument("--batch", type=int, default=1000, help="rows per transaction (default 1000)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, old_key_env: str, old_key_derived: bool, reindex_only: bool, batch: int,
               no_progress: bool, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        new = data_key()
        if reindex_only:
            old = new
        elif old_key_derived:
            old = data_key("")
        else:
            material = os.environ.get(old_key_env) or (
                getattr(settings, old_key_env, "") if old_key_env.isupper() else "")
            if not material:
                raise CommandError(
                    f"{old_key_env} is not set: give the previous data key there, or say "
                    "--old-key-derived (it was derived from SECRET_KEY) or --reindex-only")
            old = data_key(material)
        bar = tqdm(total=rotation.total_rows(), desc="轮换密钥 rotate keys", unit=" rows",
                   disable=no_progress, file=self.stderr._out)
        try:
            done = rotation.rotate(old_key=old, new_key=new, index_key=index_key(), batch=batch,
                                   progress=bar.update)
        except rotation.RotationError as exc:
            raise CommandError(f"{exc}. The batches before it are done; fix the row and run again.") from None
        finally:
            bar.close()
        with transaction.atomic():
            audit.record(stream="keys", action="rotate_keys", actor=None, details={
                "rows": done.rows, "reencrypted": done.reencrypted, "reindexed": done.reindexed,
                "reindex_only": reindex_only,
            })
        self.stdout.write(f"{done.rows} rows read, {done.reencrypted} values re-encrypted, "
                          f"{done.reindexed} blind indexes recomputed")
