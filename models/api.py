"""The API's own records: trusted documents (persisted GraphQL operations) registered from clients' manifests."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class TrustedDocument(Model):
    """One GraphQL document a client registered (services/api/trusted_documents.py): addressed by the sha256
    of its body, as graphql-codegen's client preset and Apollo's persisted-query manifests name it, and
    never changed once written (the hash is the body's)."""

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, unique=True)  # lower-case hex of the UTF-8 body
    body = fields.TextField()
    operation_name = fields.CharField(max_length=200, null=True)
    operation_type = fields.CharField(max_length=12)  # query, mutation, subscription
    registered_by = fields.CharField(max_length=254)  # an administrator's e-mail, or cli:<os user>
    registered_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "trusted_document"
