from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

# The trace page's per-lot snapshot (services/trace/snapshot.py): a new table, empty at upgrade. Lots without a
# row are served by the slow path once, which stores their snapshot (`server.py` needs no backfill step).


class Migration(migrations.Migration):
    dependencies = [('models', '0017_scan_quota')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TraceSnapshot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.OneToOneField('models.Batch', source_field='batch_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField(default=0)),
                ('data', fields.JSONField(null=True)),
                ('has_inputs', fields.BooleanField(default=False)),
            ],
            options={'table': 'trace_snapshot', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What the public trace page shows of a lot, both languages, as JSON (services/trace/snapshot.py): a'},
            bases=['Model'],
        ),
    ]
