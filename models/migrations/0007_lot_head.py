from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# Tamper evidence that covers what consumers see (services.trace.integrity):
# - trace_event.hash_version: events stored before this migration keep scheme 1 (DEFAULT 1 fills them) and keep
#   verifying with it; services.trace.events records new events with scheme 2.
# - lot_head: each lot's last chain hash and event count, kept apart from its events, so that deleting the last
#   event(s) of a lot is detected. The heads of lots that already have events are taken here from the events as
#   they are at upgrade time (a lot truncated before the upgrade is not detected; one truncated later is). A lot
#   with events and no head is reported broken: heads are never created lazily from the events.

class Migration(migrations.Migration):
    dependencies = [('models', '0006_packaging')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LotHead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.OneToOneField('models.Batch', source_field='batch_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('event_count', fields.IntField()),
                ('chain_hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'lot_head', 'app': 'models', 'pk_attr': 'id', 'table_description': "The head of a lot's chain, kept apart from its events: the chain hash of its last appended event and how"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='hash_version',
            field=fields.SmallIntField(default=1, db_default=1),
        ),
        # The heads of the lots recorded so far: append order is id order (services.trace.events._append).
        ops.RunSQL(
            'INSERT INTO "lot_head" ("batch_id", "event_count", "chain_hash") '
            'SELECT g.batch_id, g.n, e.chain_hash FROM '
            '(SELECT "batch_id", COUNT(DISTINCT "event_id") AS n, MAX("event_id") AS last_id '
            'FROM "event_quantity" GROUP BY "batch_id") g '
            'JOIN "trace_event" e ON e.id = g.last_id',
            reverse_sql='DELETE FROM "lot_head"',
        ),
    ]
