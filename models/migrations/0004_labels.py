from tortoise import migrations
from tortoise.migrations import operations as ops
from models.labels import TemplateKind
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0003_trace')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LabelRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.ForeignKeyField('models.Batch', source_field='batch_id', db_index=True, db_constraint=True, to_field='id', related_name='label_runs', on_delete=OnDelete.RESTRICT)),
                ('template_code', fields.CharField(max_length=32)),
                ('count', fields.IntField()),
                ('serialized', fields.BooleanField(default=False)),
                ('first_serial', fields.BigIntField(null=True)),
                ('start_slot', fields.IntField(default=1)),
                ('language', fields.CharField(default='vi', max_length=5)),
                ('print_date', fields.DateField()),
                ('content', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('checksums', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'label_run', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One print job of labels for a lot: what was printed is frozen in `content` so that a download'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LabelTemplate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(max_length=120)),
                ('kind', fields.CharEnumField(description='SHEET: sheet\nROLL: roll', enum_type=TemplateKind, max_length=5)),
                ('page_width_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('page_height_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('rows', fields.IntField()),
                ('columns', fields.IntField()),
                ('label_width_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('label_height_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('margin_top_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('margin_left_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('column_gap_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('row_gap_mm', fields.DecimalField(max_digits=6, decimal_places=2)),
                ('producer', fields.ForeignKeyField('models.Producer', source_field='producer_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'label_template', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A label template an organisation added (the built-in ones are reference data in services)'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SerialCounter',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.OneToOneField('models.Batch', source_field='batch_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('next_serial', fields.BigIntField(default=1)),
            ],
            options={'table': 'serial_counter', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The next free serial (GS1 AI 21) of a lot: serials are allocated from it and never reused.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SerialScan',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('batch', fields.ForeignKeyField('models.Batch', source_field='batch_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('serial', fields.CharField(max_length=20)),
                ('scanned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('language', fields.CharField(null=True, max_length=5)),
                ('region', fields.CharField(null=True, max_length=32)),
                ('network', fields.CharField(max_length=16)),
            ],
            options={'table': 'serial_scan', 'app': 'models', 'indexes': [Index(fields=['batch_id', 'serial', 'scanned_at'])], 'pk_attr': 'id', 'table_description': 'One resolver hit on a serialised code. No IP address is stored: only a coarse region and a keyed'},
            bases=['Model'],
        ),
        ops.AddConstraint(model_name='LabelRun', constraint=CheckConstraint(check='count >= 1 AND count <= 100000', name='label_run_count')),
        ops.AddConstraint(model_name='LabelRun', constraint=CheckConstraint(check='start_slot >= 1', name='label_run_start_slot')),
        ops.AddConstraint(model_name='LabelRun', constraint=CheckConstraint(check='(serialized AND first_serial >= 1) OR (NOT serialized AND first_serial IS NULL)', name='label_run_serials')),
        ops.AddConstraint(model_name='LabelTemplate', constraint=CheckConstraint(check='rows >= 1 AND columns >= 1', name='label_template_grid')),
        ops.AddConstraint(model_name='LabelTemplate', constraint=CheckConstraint(check='label_width_mm > 0 AND label_height_mm > 0 AND page_width_mm > 0 AND page_height_mm > 0', name='label_template_sizes')),
            # The SQLite rebuild for the CHECK constraints drops the tables' indexes, unique ones included (see 0001).
        ops.RunSQL([
            'CREATE INDEX IF NOT EXISTS "idx_label_run_batch_i_0c20d7" ON "label_run" ("batch_id")',
            'CREATE INDEX IF NOT EXISTS "idx_label_run_created_c3e910" ON "label_run" ("created_by_id")',
            'CREATE UNIQUE INDEX IF NOT EXISTS "label_template_code_key" ON "label_template" ("code")',
            'CREATE INDEX IF NOT EXISTS "idx_label_templ_produce_8c8182" ON "label_template" ("producer_id")',
        ], reverse_sql=[]),
    ]
