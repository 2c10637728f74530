from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Expiry reminders (services/registry/report/reminders.py): one row per e-mail sent to a recipient in an ISO
# week; the unique key (recipient, week) keeps it to one a week across workers. A new table: no data changes.


class Migration(migrations.Migration):
    dependencies = [('models', '0015_trusted_documents')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReminderDigest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('recipient', fields.CharField(max_length=254)),
                ('week', fields.DateField()),
                ('certificates', fields.IntField(default=0)),
                ('claimed_at', fields.DatetimeField(auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True)),
            ],
            options={'table': 'reminder_digest', 'app': 'models', 'unique_together': (('recipient', 'week'),), 'pk_attr': 'id', 'table_description': 'One expiry-reminder e-mail to one recipient (a province officer or a producer) for one ISO week'},
            bases=['Model'],
        ),
    ]
