from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

# Cold scans read stored answers (services/trace/snapshot.py, integrity.py, page.py): the lot's last valid
# integrity verdict with the fingerprint of the rows it was computed from (PostgreSQL: ids, xmin and ctid), and
# the rendered trace page per language with the key of what it was rendered from. Nullable columns, empty at
# upgrade: the first scan of a lot (or its next write) fills them. No data changes.


class Migration(migrations.Migration):
    dependencies = [('models', '0018_trace_snapshot')]

    initial = False

    operations = [
        ops.AddField(model_name='TraceSnapshot', name='verdict', field=fields.JSONField(null=True)),
        ops.AddField(model_name='TraceSnapshot', name='fingerprint', field=fields.CharField(null=True, max_length=64)),
        ops.AddField(model_name='TraceSnapshot', name='page_key_vi', field=fields.CharField(null=True, max_length=64)),
        ops.AddField(model_name='TraceSnapshot', name='page_vi', field=fields.TextField(null=True)),
        ops.AddField(model_name='TraceSnapshot', name='page_key_en', field=fields.CharField(null=True, max_length=64)),
        ops.AddField(model_name='TraceSnapshot', name='page_en', field=fields.TextField(null=True)),
    ]
