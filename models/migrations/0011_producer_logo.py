from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# A producer's logo (services.registry.manage: https, or our own /static/ or /media/ file), printed by the fair
# catalog beside each exhibitor and used by designers' QR codes when no logo is uploaded. A nullable column:
# no data changes.


class Migration(migrations.Migration):
    dependencies = [('models', '0010_external_locations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Producer',
            name='logo_url',
            field=fields.CharField(null=True, max_length=500),
        ),
    ]
