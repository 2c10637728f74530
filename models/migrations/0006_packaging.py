from tortoise import migrations
from tortoise.migrations import operations as ops
from models.packaging import CommentKind, DesignStatus, LabelProductType, PackageType
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0005_fairs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PackagingDesign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('product', fields.ForeignKeyField('models.Product', source_field='product_id', db_index=True, db_constraint=True, to_field='id', related_name='packaging_designs', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('label_type', fields.CharEnumField(description='FOOD: food\nGRAIN: grain\nHEALTH_SUPPLEMENT: health_supplement\nSPIRITS: spirits\nNON_ALCOHOLIC_DRINK: non_alcoholic_drink\nCOSMETICS: cosmetics\nHANDICRAFT: handicraft', enum_type=LabelProductType, max_length=19)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'packaging_design', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The packaging of a product, in numbered versions'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DesignVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('design', fields.ForeignKeyField('models.PackagingDesign', source_field='design_id', db_index=True, db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('name', fields.CharField(max_length=200)),
                ('status', fields.CharEnumField(default=DesignStatus.DRAFT, db_index=True, description='DRAFT: draft\nSUBMITTED: submitted\nIN_REVIEW: in_review\nCHANGES_REQUESTED: changes_requested\nAPPROVED: approved\nSUPERSEDED: superseded', enum_type=DesignStatus, max_length=17)),
                ('package_type', fields.CharEnumField(description='BAG: bag\nBOX: box\nJAR: jar\nBOTTLE: bottle\nCAN: can\nWRAP: wrap\nHANG_TAG: hang_tag', enum_type=PackageType, max_length=8)),
                ('width_mm', fields.FloatField(null=True)),
                ('height_mm', fields.FloatField(null=True)),
                ('depth_mm', fields.FloatField(null=True)),
                ('material', fields.CharField(null=True, max_length=120)),
                ('print_method', fields.CharField(null=True, max_length=120)),
                ('declared', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.ForeignKeyField('models.User', source_field='approved_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('override_reason', fields.TextField(null=True, unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'design_version', 'app': 'models', 'unique_together': (('design', 'number'),), 'pk_attr': 'id', 'table_description': 'One version of a packaging design with what its label declares'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReviewComment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.ForeignKeyField('models.DesignVersion', source_field='version_id', db_index=True, db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('author_role', fields.CharField(max_length=20)),
                ('kind', fields.CharEnumField(default=CommentKind.COMMENT, description='COMMENT: comment\nCHANGES_REQUESTED: changes_requested\nAPPROVAL: approval\nOVERRIDE: override', enum_type=CommentKind, max_length=17)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'review_comment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A comment in the review thread of a design version'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StoredFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('media_type', fields.CharField(max_length=60)),
                ('size_bytes', fields.BigIntField()),
                ('width_px', fields.IntField(null=True)),
                ('height_px', fields.IntField(null=True)),
                ('pages', fields.IntField(null=True)),
                ('thumbnail_sha256', fields.CharField(null=True, max_length=64)),
                ('original_name', fields.CharField(null=True, max_length=255)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'stored_file', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An uploaded file kept under its sha256, never under the name a user gave it'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='VersionFile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.ForeignKeyField('models.DesignVersion', source_field='version_id', db_index=True, db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('file', fields.ForeignKeyField('models.StoredFile', source_field='file_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('role', fields.CharField(default='artwork', max_length=20)),
            ],
            options={'table': 'design_version_file', 'app': 'models', 'unique_together': (('version', 'file'),), 'pk_attr': 'id', 'table_description': 'An artwork file of a design version'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='DesignVersion', constraint=CheckConstraint(check='number >= 1', name='design_version_number')),
        ops.AddConstraint(model_name='DesignVersion', constraint=CheckConstraint(check="(status = 'approved') = (approved_at IS NOT NULL) OR status = 'superseded'", name='design_version_approval')),
        ops.AddConstraint(model_name='StoredFile', constraint=CheckConstraint(check='size_bytes >= 0', name='stored_file_size')),
            # The SQLite rebuild for the CHECK constraints drops the tables' indexes, unique ones included (see 0001).
        ops.RunSQL([
            'CREATE UNIQUE INDEX IF NOT EXISTS "uid_design_vers_design__773119" ON "design_version" ("design_id", "number")',
            'CREATE INDEX IF NOT EXISTS "idx_design_vers_status_004a8a" ON "design_version" ("status")',
            'CREATE INDEX IF NOT EXISTS "idx_design_vers_approve_9c4a19" ON "design_version" ("approved_by_id")',
            'CREATE INDEX IF NOT EXISTS "idx_design_vers_created_8104ff" ON "design_version" ("created_by_id")',
            'CREATE INDEX IF NOT EXISTS "idx_design_vers_design__c93da3" ON "design_version" ("design_id")',
            'CREATE UNIQUE INDEX IF NOT EXISTS "stored_file_sha256_key" ON "stored_file" ("sha256")',
            'CREATE INDEX IF NOT EXISTS "idx_stored_file_uploade_58d16a" ON "stored_file" ("uploaded_by_id")',
        ], reverse_sql=[]),
    ]
