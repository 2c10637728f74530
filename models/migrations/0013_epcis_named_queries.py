from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

# EPCIS 2.0 named queries (services.trace.epcis_named_queries, `/epcis/queries`): a SimpleEventQuery's parameters
# kept under a name, unique per owner; a user's queries go with the user. A new table: no data changes.


class Migration(migrations.Migration):
    dependencies = [('models', '0012_epcis_capture_all')]

    initial = False

    operations = [
        ops.CreateModel(
            name='NamedQuery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('query', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'epcis_named_query', 'app': 'models', 'unique_together': (('owner', 'name'),), 'pk_attr': 'id', 'table_description': 'An EPCIS 2.0 named query (`POST /epcis/queries`): a SimpleEventQuery kept under a name, per owner (two users'},
            bases=['Model'],
        ),
    ]
