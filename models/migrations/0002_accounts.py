from tortoise import migrations
from tortoise.migrations import operations as ops
from models.accounts import Role, TokenKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('display_name', fields.CharField(max_length=150)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_active', fields.BooleanField(default=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'app_user', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('address', fields.CharField(db_index=True, max_length=64)),
                ('succeeded', fields.BooleanField()),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'login_attempt', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccessToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='SESSION: session\nAPI: api', enum_type=TokenKind, max_length=10)),
                ('name', fields.CharField(null=True, max_length=100)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'access_token', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bearer token, stored only as a keyed hash. Session tokens come from login, API tokens are created'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('token_kind', fields.CharField(null=True, max_length=10)),
                ('action', fields.CharField(db_index=True, max_length=100)),
                ('object_type', fields.CharField(null=True, max_length=50)),
                ('object_id', fields.IntField(null=True)),
                ('succeeded', fields.BooleanField()),
                ('error_codes', fields.CharField(null=True, max_length=255)),
                ('request_id', fields.CharField(null=True, max_length=32)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One mutation by an authenticated user: who, what, when, on which object, and whether it succeeded.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='CENTRAL_ADMIN: central_admin\nPROVINCE_OFFICER: province_officer\nPRODUCER_MEMBER: producer_member\nFAIR_ORGANISER: fair_organiser\nCONSULTANT: consultant', enum_type=Role, max_length=20)),
                ('province', fields.ForeignKeyField('models.AdminUnit', source_field='province_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('producer', fields.ForeignKeyField('models.Producer', source_field='producer_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('fair_scope', fields.CharField(null=True, max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'membership', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A role in a scope. The scope column that a role needs is required by a CHECK constraint.'},
            bases=['Model'],
        ),
        # CHECK constraints as their own operations: CreateModel options do not emit them (see 0001).
        ops.AddConstraint(model_name='Membership', constraint=CheckConstraint(check="(role = 'province_officer') = (province_id IS NOT NULL) AND (role = 'producer_member') = (producer_id IS NOT NULL) AND (role = 'fair_organiser') = (fair_scope IS NOT NULL)", name='membership_scope')),
            # The SQLite rebuild for the CHECK constraint drops the table's indexes (see 0001).
        ops.RunSQL([
            'CREATE INDEX IF NOT EXISTS "idx_membership_produce_5e80c2" ON "membership" ("producer_id")',
            'CREATE INDEX IF NOT EXISTS "idx_membership_provinc_4f7001" ON "membership" ("province_id")',
            'CREATE INDEX IF NOT EXISTS "idx_membership_user_id_550878" ON "membership" ("user_id")',
        ]),
    ]
