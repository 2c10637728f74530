from tortoise import migrations
from tortoise.migrations import operations as ops
from models.trace import LocationKind
from tortoise.fields.base import OnDelete
from tortoise import fields

# Partners' places (services.trace.locations): a read point or business location that a captured event names by a
# partner's SGLN or GLN Digital Link is kept as a location of kind `external`, its identifier stored verbatim
# (location.identifier, unique: one row per identifier, whoever captured it). external_location_name: the name a
# producer gives such a place on its own trace pages, with a digest the lot integrity check verifies. No data
# changes: existing locations are ours (identifier NULL).


class DescriptionOnly(ops.AlterField):
    """LocationKind gains `external`: only the field's description (the list of members) changes; the column
    (varchar(12), no CHECK) does not. Tortoise's AlterField would rebuild the SQLite table and lose its indexes."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('models', '0009_instance')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ExternalLocationName',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('producer', fields.ForeignKeyField('models.Producer', source_field='producer_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('place', fields.CharField(max_length=40)),
                ('name', fields.CharField(max_length=255)),
                ('named_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('digest', fields.CharField(max_length=64)),
            ],
            options={'table': 'external_location_name', 'app': 'models', 'unique_together': (('producer', 'place'),), 'pk_attr': 'id', 'table_description': "The name a producer gives a partner's place on its own lots' trace pages (per producer: the place is shared,"},
            bases=['Model'],
        ),
        DescriptionOnly(
            model_name='Location',
            name='kind',
            field=fields.CharEnumField(description='FARM: farm\nFACILITY: facility\nWAREHOUSE: warehouse\nSHOP: shop\nFAIR_BOOTH: fair_booth\nEXTERNAL: external', enum_type=LocationKind, max_length=12),
        ),
        ops.AddField(
            model_name='Location',
            name='identifier',
            field=fields.CharField(null=True, unique=True, max_length=255),
        ),
    ]
