from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Tamper evidence for the lot's own shown fields (services.trace.integrity, LOT_CHANGED):
# - lot_head.lot_digest: sha256 of the lot fields the trace page shows (services.trace.batches.lot_digest),
#   written by the services when a lot is created or recalled. NULL for the lots recorded before this
#   migration: their fields are not covered (the digest cannot be computed in SQL on both databases).
# - every lot gets a head: those without events had none. From now on a lot without a head (its events and
#   head deleted) is reported HEAD_MISSING instead of an empty, valid history.

class Migration(migrations.Migration):
    dependencies = [('models', '0007_lot_head')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LotHead',
            name='lot_digest',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.RunSQL(
            'INSERT INTO "lot_head" ("batch_id", "event_count", "chain_hash") '
            'SELECT b.id, 0, \'\' FROM "batch" b '
            'WHERE NOT EXISTS (SELECT 1 FROM "lot_head" h WHERE h.batch_id = b.id)',
            reverse_sql='DELETE FROM "lot_head" WHERE "event_count" = 0',
        ),
    ]
