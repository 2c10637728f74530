from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# The installation's identity (services/common/instance.py): the public base URL its identifiers were minted
# with, one row written at the first start after this migration (the URL configured then: for a database that
# already has events, the one they were hashed with, as long as it was not changed before upgrading). Hashes
# use it from then on, whatever OCOP_PUBLIC_BASE_URL says, so moving to another domain breaks nothing.

class Migration(migrations.Migration):
    dependencies = [('models', '0008_lot_digest')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Instance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('minted_base_url', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now_add=True)),
            ],
            options={'table': 'instance', 'app': 'models', 'pk_attr': 'id', 'table_description': "This installation's identity, one row (id 1), written at its first start: the public base URL its"},
            bases=['Model'],
        ),
    ]
