"""Who may register trusted documents (services/api/trusted_documents.py).

Only the central administrators, and the command line (SYSTEM): a registered document is one the anonymous
public may run when OCOP_TRUSTED_DOCUMENTS=only, so registering one widens what the whole country's public
can ask of the API. That is a decision for the people who run the national installation, as deploying a new
frontend is, not for a province officer or a producer whose token could be lost."""

from __future__ import annotations

from services.policy import Reach


def may_register_documents(reach: Reach) -> bool:
    return reach.everything
