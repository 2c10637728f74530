from tortoise import migrations
from tortoise.migrations import operations as ops
from models.subscriptions import DeliveryStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

# EPCIS 2.0 query subscriptions (services.trace.epcis_subscriptions, `/epcis/queries/{name}/subscriptions`):
# webhook subscriptions to a named query, their deliveries (retries, dead letters) and the events waiting to
# be matched against stream subscriptions. New tables: no data changes.


class Migration(migrations.Migration):
    dependencies = [('models', '0013_epcis_named_queries')]

    initial = False

    operations = [
        ops.CreateModel(
            name='QuerySubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscription_id', fields.CharField(unique=True, max_length=36)),
                ('query', fields.ForeignKeyField('models.NamedQuery', source_field='query_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('dest', fields.CharField(max_length=2000)),
                ('signature_token', fields.CharField(null=True, max_length=255)),
                ('stream', fields.BooleanField(default=False, db_index=True)),
                ('schedule', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('report_if_empty', fields.BooleanField(default=False)),
                ('initial_record_time', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('min_record_time', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_run_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'epcis_subscription', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A webhook subscription to a named query. `stream`: every newly captured event the query matches.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StreamPending',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('models.TraceEvent', source_field='event_id', unique=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'epcis_stream_pending', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An event recorded while a stream subscription existed, waiting to be matched against the stream'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubscriptionDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscription', fields.ForeignKeyField('models.QuerySubscription', source_field='subscription_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('event_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: pending\nDELIVERED: delivered\nDEAD: dead', enum_type=DeliveryStatus, max_length=9)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('locked_by', fields.CharField(null=True, max_length=100)),
                ('locked_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_status', fields.IntField(null=True)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'epcis_delivery', 'app': 'models', 'pk_attr': 'id', 'table_description': "One POST of an EPCISQueryDocument to a subscription's `dest`: the events (by id, at most"},
            bases=['Model'],
        ),
    ]
