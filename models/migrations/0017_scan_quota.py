from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# The hourly scan quota of a network (services/labels/scans.py), shared by every replica on PostgreSQL: one row
# per (network, hour), incremented by an atomic upsert. A new table: no data changes.


class Migration(migrations.Migration):
    dependencies = [('models', '0016_reminder_digest')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ScanQuota',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('network', fields.CharField(max_length=16)),
                ('hour', fields.BigIntField()),
                ('used', fields.IntField(default=0)),
            ],
            options={'table': 'scan_quota', 'app': 'models', 'unique_together': (('network', 'hour'),), 'pk_attr': 'id', 'table_description': 'Counted scans of one network (the keyed hash SerialScan keeps) in one clock hour, shared by every'},
            bases=['Model'],
        ),
    ]
