"""Who may download a file: the one "signed link, else bearer token" check of label outputs, design
previews and job results."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from services.accounts import auth as accounts
from services.common.errors import DomainError, ErrorCode
from services.policy import SYSTEM, Reach, reach_of
from web.refusals import refuse


async def download_reach(request: Request, verify: Callable[[str, str], bool]) -> Reach | Response:
    """SYSTEM when `verify(expires, sig)` accepts the query's signature (the link itself is the grant),
    else the reach of the bearer token's user; a refusal when there is neither (401 for a bad token, 403
    for no token: the link expired or was not signed)."""
    query = request.query_params
    if verify(query.get("expires", ""), query.get("sig", "")):
        return SYSTEM
    try:
        actor = await accounts.authenticate(request.headers.get("authorization"))
    except DomainError:
        return refuse(
            request,
            401,
            ErrorCode.UNAUTHENTICATED,
            "Mã truy cập không hợp lệ hoặc đã hết hạn.",
            "Invalid or expired token.",
        )
    if not actor.is_authenticated:
        return link_expired(request)
    return await reach_of(actor)


def link_expired(request: Request) -> Response:
    return refuse(
        request,
        403,
        ErrorCode.LINK_EXPIRED,
        "Liên kết này đã hết hạn hoặc không được ký: hãy xin một liên kết mới.",
        "This link has expired or is not signed: ask for a new one.",
    )
