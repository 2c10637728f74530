from tortoise import migrations
from tortoise.migrations import operations as ops
from models.fairs import ApplicationStatus, BoothType, FairKind, FairStatus, OfferingKind, SessionKind
from models.jobs import JobStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

_PG_GUARDS = """
ALTER TABLE fair_booth_assignment ADD CONSTRAINT fair_booth_assignment_booth_same_fair
    FOREIGN KEY (booth_id, fair_id) REFERENCES fair_booth (id, fair_id) ON DELETE CASCADE;
ALTER TABLE fair_booth_assignment ADD CONSTRAINT fair_booth_assignment_application_same_fair
    FOREIGN KEY (application_id, fair_id) REFERENCES fair_application (id, fair_id) ON DELETE CASCADE;
"""

_SQLITE_GUARD = """
CREATE TRIGGER IF NOT EXISTS fair_booth_assignment_same_fair_{event}
BEFORE {event} ON fair_booth_assignment
WHEN (SELECT fair_id FROM fair_booth WHERE id = NEW.booth_id) IS NOT NEW.fair_id
  OR (SELECT fair_id FROM fair_application WHERE id = NEW.application_id) IS NOT NEW.fair_id
BEGIN
    SELECT RAISE(ABORT, 'fair_booth_assignment_same_fair: booth and exhibitor must belong to the fair');
END;
"""


async def same_fair_guards(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(_PG_GUARDS)
    else:
        for event in ("INSERT", "UPDATE"):
            await client.execute_script(_SQLITE_GUARD.format(event=event))


class Migration(migrations.Migration):
    dependencies = [('models', '0004_labels')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Fair',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=100)),
                ('name', fields.CharField(max_length=255)),
                ('name_en', fields.CharField(null=True, max_length=255)),
                ('theme', fields.CharField(null=True, max_length=255)),
                ('theme_en', fields.CharField(null=True, max_length=255)),
                ('kind', fields.CharEnumField(description='OCOP: ocop\nOCOP_TOURISM: ocop_tourism\nAGRICULTURE: agriculture\nTRADE: trade', enum_type=FairKind, max_length=14)),
                ('regions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('venue', fields.CharField(max_length=255)),
                ('address', fields.CharField(null=True, max_length=255)),
                ('province', fields.ForeignKeyField('models.AdminUnit', source_field='province_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField()),
                ('opening_hours', fields.CharField(null=True, max_length=100)),
                ('organisers', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('foreword', fields.TextField(null=True, unique=False)),
                ('foreword_en', fields.TextField(null=True, unique=False)),
                ('practical_info', fields.TextField(null=True, unique=False)),
                ('practical_info_en', fields.TextField(null=True, unique=False)),
                ('floor_width_m', fields.FloatField(default=100)),
                ('floor_depth_m', fields.FloatField(default=60)),
                ('status', fields.CharEnumField(default=FairStatus.DRAFT, db_index=True, description='DRAFT: draft\nACCEPTING: accepting\nPUBLISHED: published\nCLOSED: closed', enum_type=FairStatus, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'fair', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A trade fair, e.g. the 2019 OCOP-Tourism fair in Ben Tre'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=40)),
                ('params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('input_hash', fields.CharField(db_index=True, max_length=64)),
                ('status', fields.CharEnumField(default=JobStatus.QUEUED, db_index=True, description='QUEUED: queued\nRUNNING: running\nSUCCEEDED: succeeded\nFAILED: failed', enum_type=JobStatus, max_length=9)),
                ('progress', fields.IntField(default=0)),
                ('attempts', fields.IntField(default=0)),
                ('result_sha256', fields.CharField(null=True, max_length=64)),
                ('result_name', fields.CharField(null=True, max_length=255)),
                ('error', fields.TextField(null=True, unique=False)),
                ('worker', fields.CharField(null=True, max_length=100)),
                ('heartbeat_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A durable background job (catalog renders). A running job whose worker died is run again once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProgrammeSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fair', fields.ForeignKeyField('models.Fair', source_field='fair_id', db_index=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='CEREMONY: ceremony\nSEMINAR: seminar\nBUSINESS_MATCHING: business_matching\nTOUR: tour\nOTHER: other', enum_type=SessionKind, max_length=17)),
                ('title', fields.CharField(max_length=255)),
                ('title_en', fields.CharField(null=True, max_length=255)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('place', fields.CharField(null=True, max_length=255)),
                ('speakers', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('description', fields.TextField(null=True, unique=False)),
                ('description_en', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'fair_session', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A ceremony, seminar, business-matching session or tour of the fair programme'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Sponsor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fair', fields.ForeignKeyField('models.Fair', source_field='fair_id', db_index=True, db_constraint=True, to_field='id', related_name='sponsors', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=255)),
                ('level', fields.CharField(default='partner', max_length=20)),
                ('logo_url', fields.CharField(null=True, max_length=500)),
                ('website', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'fair_sponsor', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A sponsor of a fair, shown in the catalog'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TourismOffering',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fair', fields.ForeignKeyField('models.Fair', source_field='fair_id', db_index=True, db_constraint=True, to_field='id', related_name='tourism_offerings', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='COMMUNITY_TOURISM: community_tourism\nCRAFT_VILLAGE: craft_village\nHOMESTAY: homestay\nTOUR: tour', enum_type=OfferingKind, max_length=17)),
                ('name', fields.CharField(max_length=255)),
                ('name_en', fields.CharField(null=True, max_length=255)),
                ('commune', fields.ForeignKeyField('models.AdminUnit', source_field='commune_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('address', fields.CharField(null=True, max_length=255)),
                ('description', fields.TextField(null=True, unique=False)),
                ('description_en', fields.TextField(null=True, unique=False)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('contact', fields.CharField(null=True, max_length=255)),
                ('image_url', fields.CharField(null=True, max_length=500)),
            ],
            options={'table': 'fair_tourism_offering', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A community-tourism site, craft village, homestay or tour presented at a fair'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Zone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fair', fields.ForeignKeyField('models.Fair', source_field='fair_id', db_index=True, db_constraint=True, to_field='id', related_name='zones', on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=10)),
                ('name', fields.CharField(max_length=120)),
                ('name_en', fields.CharField(null=True, max_length=120)),
                ('product_groups', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('color', fields.CharField(default='#e8f1e4', max_length=7)),
                ('x_m', fields.FloatField(default=0)),
                ('y_m', fields.FloatField(default=0)),
                ('width_m', fields.FloatField(default=10)),
                ('depth_m', fields.FloatField(default=10)),
            ],
            options={'table': 'fair_zone', 'app': 'models', 'unique_together': (('fair', 'code'),), 'pk_attr': 'id', 'table_description': 'An area of the fair floor hosting some product groups'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Booth',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fair', fields.ForeignKeyField('models.Fair', source_field='fair_id', db_index=True, db_constraint=True, to_field='id', related_name='booths', on_delete=OnDelete.CASCADE)),
                ('zone', fields.ForeignKeyField('models.Zone', source_field='zone_id', db_index=True, db_constraint=True, to_field='id', related_name='booths', on_delete=OnDelete.RESTRICT)),
                ('code', fields.CharField(max_length=12)),
                ('booth_type', fields.CharEnumField(default=BoothType.STANDARD, description='STANDARD: standard\nCORNER: corner\nPREMIUM: premium\nOUTDOOR: outdoor', enum_type=BoothType, max_length=8)),
                ('width_m', fields.FloatField(default=3)),
                ('depth_m', fields.FloatField(default=3)),
                ('x_m', fields.FloatField(default=0)),
                ('y_m', fields.FloatField(default=0)),
                ('price_vnd', fields.BigIntField(null=True)),
            ],
            options={'table': 'fair_booth', 'app': 'models', 'unique_together': (('fair', 'code'), ('id', 'fair')), 'pk_attr': 'id', 'table_description': 'A booth on the floor plan. (fair, id) is unique so that assignments can reference both.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ExhibitorApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fair', fields.ForeignKeyField('models.Fair', source_field='fair_id', db_index=True, db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.CASCADE)),
                ('producer', fields.ForeignKeyField('models.Producer', source_field='producer_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('wanted_zone', fields.ForeignKeyField('models.Zone', source_field='wanted_zone_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('wanted_booth_type', fields.CharEnumField(default=BoothType.STANDARD, description='STANDARD: standard\nCORNER: corner\nPREMIUM: premium\nOUTDOOR: outdoor', enum_type=BoothType, max_length=8)),
                ('booths_wanted', fields.IntField(default=1)),
                ('description', fields.TextField(null=True, unique=False)),
                ('description_en', fields.TextField(null=True, unique=False)),
                ('status', fields.CharEnumField(default=ApplicationStatus.SUBMITTED, db_index=True, description='SUBMITTED: submitted\nAPPROVED: approved\nWAITLISTED: waitlisted\nREJECTED: rejected\nCANCELLED: cancelled', enum_type=ApplicationStatus, max_length=10)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'fair_application', 'app': 'models', 'unique_together': (('fair', 'producer'), ('id', 'fair')), 'pk_attr': 'id', 'table_description': 'An application of a producer to exhibit at a fair. Approved, it makes the producer an exhibitor'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApplicationProduct',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.ForeignKeyField('models.ExhibitorApplication', source_field='application_id', db_index=True, db_constraint=True, to_field='id', related_name='products', on_delete=OnDelete.CASCADE)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'fair_application_product', 'app': 'models', 'unique_together': (('application', 'product'),), 'pk_attr': 'id', 'table_description': 'A product an exhibitor shows at the fair'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BoothAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('fair', fields.ForeignKeyField('models.Fair', source_field='fair_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('booth', fields.OneToOneField('models.Booth', source_field='booth_id', db_constraint=True, to_field='id', related_name='assignment', on_delete=OnDelete.CASCADE)),
                ('application', fields.ForeignKeyField('models.ExhibitorApplication', source_field='application_id', db_index=True, db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('assigned_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('assigned_by', fields.ForeignKeyField('models.User', source_field='assigned_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('manual', fields.BooleanField(default=False)),
            ],
            options={'table': 'fair_booth_assignment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An exhibitor on a booth, one exhibitor per booth'},
            bases=['Model'],
        ),
            ops.AddConstraint(model_name='Fair', constraint=CheckConstraint(check='ends_on >= starts_on', name='fair_dates')),
        ops.AddConstraint(model_name='Job', constraint=CheckConstraint(check='progress >= 0 AND progress <= 100', name='job_progress')),
        ops.AddConstraint(model_name='Job', constraint=CheckConstraint(check='attempts >= 0', name='job_attempts')),
        ops.AddConstraint(model_name='ProgrammeSession', constraint=CheckConstraint(check='ends_at >= starts_at', name='fair_session_times')),
        ops.AddConstraint(model_name='Booth', constraint=CheckConstraint(check='width_m > 0 AND depth_m > 0', name='fair_booth_size')),
        ops.AddConstraint(model_name='Booth', constraint=CheckConstraint(check='price_vnd IS NULL OR price_vnd >= 0', name='fair_booth_price')),
        ops.AddConstraint(model_name='ExhibitorApplication', constraint=CheckConstraint(check='booths_wanted >= 1 AND booths_wanted <= 10', name='fair_application_booths')),
            # The SQLite rebuild for the CHECK constraints drops the tables' indexes, unique ones included (see 0001).
        ops.RunSQL([
            'CREATE UNIQUE INDEX IF NOT EXISTS "fair_slug_key" ON "fair" ("slug")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_status_e52a63" ON "fair" ("status")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_provinc_f0341d" ON "fair" ("province_id")',
            'CREATE INDEX IF NOT EXISTS "idx_job_input_h_53c993" ON "job" ("input_hash")',
            'CREATE INDEX IF NOT EXISTS "idx_job_status_2e13c7" ON "job" ("status")',
            'CREATE INDEX IF NOT EXISTS "idx_job_created_a2e12d" ON "job" ("created_by_id")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_sessio_fair_id_b931a4" ON "fair_session" ("fair_id")',
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_fair_booth_fair_id_08cd9c" ON "fair_booth" ("fair_id", "code")',
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_fair_booth_id_f28fc1" ON "fair_booth" ("id", "fair_id")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_booth_fair_id_be93e1" ON "fair_booth" ("fair_id")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_booth_zone_id_b65a81" ON "fair_booth" ("zone_id")',
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_fair_applic_fair_id_7db2ea" ON "fair_application" ("fair_id", "producer_id")',
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_fair_applic_id_392997" ON "fair_application" ("id", "fair_id")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_applic_status_99d973" ON "fair_application" ("status")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_applic_decided_17aaa3" ON "fair_application" ("decided_by_id")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_applic_fair_id_48169e" ON "fair_application" ("fair_id")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_applic_produce_09d4f5" ON "fair_application" ("producer_id")',
            'CREATE INDEX IF NOT EXISTS "idx_fair_applic_wanted__412c79" ON "fair_application" ("wanted_zone_id")',
        ], reverse_sql=[]),
        # A booth and the exhibitor on it belong to the assignment's fair: composite foreign keys on
        # PostgreSQL (on the unique (id, fair_id) of booths and applications), triggers on SQLite.
        ops.RunPython(same_fair_guards),
    ]
