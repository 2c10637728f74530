from tortoise import migrations
from tortoise.migrations import operations as ops
from models.trace import FieldScope, IdentifierRole
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# EPCIS 2.0 capture of everything valid (issue 14; services.trace.epcis_capture):
# - trace_event gains the captured fields it did not hold, as JSON kept verbatim (NULL for every existing event, so
#   no existing hash or chain changes): ilmd, persistent_disposition, certification_info, extensions (top-level
#   user extension fields), place_extensions (readPoint/bizLocation fields besides id), namespaces (the JSON-LD
#   prefixes those use), declaration (a partner's errorDeclaration).
# - event_quantity.listed: FALSE links an event to a lot it touches through serials or a container, not through a
#   quantity element (existing rows: TRUE, as before).
# - trace_event_identifier: instance identifiers, parentIDs and partners' classes of an event (canonical value,
#   as received, our lot and serial when it names one), indexed by (value, role) for queries and lineage.
# - trace_event_field: queryable values (extension and ilmd fields, business transactions, sources,
#   destinations) as text / number / time, for EQ_/GT_/LT_ queries. Derived, never shown, not hashed.

class Migration(migrations.Migration):
    dependencies = [('models', '0011_producer_logo')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EventField',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.TraceEvent', source_field='event_id', db_index=True, db_constraint=True, to_field='id', related_name='fields', on_delete=OnDelete.RESTRICT)),
                ('scope', fields.CharEnumField(description='EXTENSION: extension\nILMD: ilmd\nBIZ_TRANSACTION: biz_transaction\nSOURCE: source\nDESTINATION: destination', enum_type=FieldScope, max_length=16)),
                ('name', fields.CharField(max_length=255)),
                ('inner', fields.BooleanField(default=False)),
                ('text_value', fields.CharField(null=True, max_length=255)),
                ('number_value', fields.FloatField(null=True)),
                ('time_value', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'trace_event_field', 'app': 'models', 'indexes': [Index(fields=['scope', 'name', 'text_value']), Index(fields=['scope', 'name', 'number_value'])], 'pk_attr': 'id', 'table_description': 'A queryable value of a captured event (EPCIS SimpleEventQuery EQ_/GT_/LT_ parameters): derived from the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventIdentifier',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.TraceEvent', source_field='event_id', db_index=True, db_constraint=True, to_field='id', related_name='identifiers', on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharEnumField(description='EPC: epc\nPARENT: parent\nCHILD: child\nINPUT: input\nOUTPUT: output\nQUANTITY: quantity\nCHILD_QUANTITY: child_quantity\nINPUT_QUANTITY: input_quantity\nOUTPUT_QUANTITY: output_quantity', enum_type=IdentifierRole, max_length=16)),
                ('position', fields.SmallIntField()),
                ('value', fields.CharField(max_length=500)),
                ('received', fields.CharField(null=True, max_length=500)),
                ('batch', fields.ForeignKeyField('models.Batch', source_field='batch_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('serial', fields.CharField(null=True, max_length=20)),
                ('quantity', fields.DecimalField(null=True, max_digits=24, decimal_places=6)),
                ('uom', fields.CharField(null=True, max_length=3)),
            ],
            options={'table': 'trace_event_identifier', 'app': 'models', 'indexes': [Index(fields=['value', 'role'])], 'pk_attr': 'id', 'table_description': "An identifier a captured event names, other than our lots' quantity elements (those are EventQuantity):"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='EventQuantity',
            name='listed',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='certification_info',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='declaration',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='extensions',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='ilmd',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='namespaces',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='persistent_disposition',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='TraceEvent',
            name='place_extensions',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
