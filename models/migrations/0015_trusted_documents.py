from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Trusted documents (services/api/trusted_documents.py): GraphQL operations registered from a client's
# manifest, run by the sha256 of their body. A new table: no data changes.


class Migration(migrations.Migration):
    dependencies = [('models', '0014_epcis_subscriptions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TrustedDocument',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('operation_name', fields.CharField(null=True, max_length=200)),
                ('operation_type', fields.CharField(max_length=12)),
                ('registered_by', fields.CharField(max_length=254)),
                ('registered_at', fields.DatetimeField(auto_now_add=True)),
            ],
            options={'table': 'trusted_document', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One GraphQL document a client registered (services/api/trusted_documents.py): addressed by the sha256'},
            bases=['Model'],
        ),
    ]
