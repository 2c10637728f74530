from tortoise import migrations
from tortoise.migrations import operations as ops
from models.trace import BatchStatus, EventAction, EventType, LocationKind, QuantityRole
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0002_accounts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Batch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_index=True, db_constraint=True, to_field='id', related_name='batches', on_delete=OnDelete.RESTRICT)),
                ('lot_code', fields.CharField(max_length=20)),
                ('production_date', fields.DateField(null=True)),
                ('harvest_date', fields.DateField(null=True)),
                ('expiry_date', fields.DateField(null=True)),
                ('quantity', fields.DecimalField(null=True, max_digits=14, decimal_places=3)),
                ('unit', fields.CharField(null=True, max_length=3)),
                ('origin_commune', fields.ForeignKeyField('models.AdminUnit', source_field='origin_commune_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('origin_place', fields.CharField(null=True, max_length=255)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('status', fields.CharEnumField(default=BatchStatus.ACTIVE, db_index=True, description='ACTIVE: active\nON_HOLD: on_hold\nRECALLED: recalled\nEXPIRED: expired', enum_type=BatchStatus, max_length=10)),
                ('is_published', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'batch', 'app': 'models', 'unique_together': (('product', 'lot_code'),), 'pk_attr': 'id', 'table_description': 'A lot of a product. Its lot code is printed on labels: it never changes and is never reused.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Location',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=255)),
                ('kind', fields.CharEnumField(description='FARM: farm\nFACILITY: facility\nWAREHOUSE: warehouse\nSHOP: shop\nFAIR_BOOTH: fair_booth', enum_type=LocationKind, max_length=12)),
                ('gln', fields.CharField(null=True, unique=True, max_length=13)),
                ('commune', fields.ForeignKeyField('models.AdminUnit', source_field='commune_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('address_line', fields.CharField(null=True, max_length=255)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('producer_id', fields.IntField(null=True, db_index=True)),
            ],
            options={'table': 'location', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A farm, facility, warehouse, shop or fair booth: a read point or business location of events.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TraceEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_type', fields.CharEnumField(description='OBJECT: ObjectEvent\nAGGREGATION: AggregationEvent\nTRANSFORMATION: TransformationEvent\nTRANSACTION: TransactionEvent\nASSOCIATION: AssociationEvent', enum_type=EventType, max_length=20)),
                ('action', fields.CharEnumField(null=True, description='ADD: ADD\nOBSERVE: OBSERVE\nDELETE: DELETE', enum_type=EventAction, max_length=8)),
                ('biz_step', fields.CharField(null=True, max_length=200)),
                ('disposition', fields.CharField(null=True, max_length=200)),
                ('event_time', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('time_zone_offset', fields.CharField(max_length=6)),
                ('record_time', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_point', fields.ForeignKeyField('models.Location', source_field='read_point_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('biz_location', fields.ForeignKeyField('models.Location', source_field='biz_location_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('sources', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('destinations', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('biz_transactions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('sensor_elements', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('documents', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('note', fields.TextField(null=True, unique=False)),
                ('note_en', fields.TextField(null=True, unique=False)),
                ('corrects', fields.ForeignKeyField('models.TraceEvent', source_field='corrects_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('correction_reason', fields.CharField(null=True, max_length=200)),
                ('corrective_event_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('event_hash', fields.CharField(db_index=True, max_length=120)),
                ('chain_hash', fields.CharField(max_length=64)),
            ],
            options={'table': 'trace_event', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One EPCIS 2.0 event. Never updated: a correction is a new event with an error declaration.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventQuantity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.TraceEvent', source_field='event_id', db_index=True, db_constraint=True, to_field='id', related_name='quantities', on_delete=OnDelete.RESTRICT)),
                ('batch', fields.ForeignKeyField('models.Batch', source_field='batch_id', db_index=True, db_constraint=True, to_field='id', related_name='event_quantities', on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharEnumField(description='SUBJECT: subject\nINPUT: input\nOUTPUT: output', enum_type=QuantityRole, max_length=8)),
                ('quantity', fields.DecimalField(null=True, max_digits=14, decimal_places=3)),
                ('unit', fields.CharField(null=True, max_length=3)),
                ('previous_chain_hash', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'event_quantity', 'app': 'models', 'unique_together': (('event', 'batch', 'role'),), 'pk_attr': 'id', 'table_description': 'A quantity of a batch in an event (subject, transformation input or output).'},
            bases=['Model'],
        ),
        # CHECK constraints as their own operations: CreateModel options do not emit them (see 0001).
        ops.AddConstraint(model_name='Batch', constraint=CheckConstraint(check='expiry_date IS NULL OR production_date IS NULL OR expiry_date >= production_date', name='batch_expiry_after_production')),
        ops.AddConstraint(model_name='Batch', constraint=CheckConstraint(check='quantity IS NULL OR quantity >= 0', name='batch_quantity')),
        ops.AddConstraint(model_name='EventQuantity', constraint=CheckConstraint(check='quantity IS NULL OR quantity > 0', name='event_quantity_positive')),
            # The SQLite rebuild for the CHECK constraints drops the tables' indexes, unique ones included (see 0001).
        ops.RunSQL([
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_batch_product_588b75" ON "batch" ("product_id", "lot_code")',
            'CREATE INDEX IF NOT EXISTS "idx_batch_status_13db49" ON "batch" ("status")',
            'CREATE INDEX IF NOT EXISTS "idx_batch_origin__1451b6" ON "batch" ("origin_commune_id")',
            'CREATE INDEX IF NOT EXISTS "idx_batch_product_7f4cc4" ON "batch" ("product_id")',
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_event_quant_event_i_1041f8" ON "event_quantity" ("event_id", "batch_id", "role")',
            'CREATE INDEX IF NOT EXISTS "idx_event_quant_batch_i_37b88e" ON "event_quantity" ("batch_id")',
            'CREATE INDEX IF NOT EXISTS "idx_event_quant_event_i_88a9cb" ON "event_quantity" ("event_id")',
        ]),
            # An error declaration repeats the eventID of the event it corrects: unique only among originals.
        ops.RunSQL(
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_trace_event_original_hash" ON "trace_event" ("event_hash") '
            "WHERE corrects_id IS NULL",
            reverse_sql='DROP INDEX IF EXISTS "uid_trace_event_original_hash"',
        ),
    ]
