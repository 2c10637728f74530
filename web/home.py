"""The landing page, `GET /`: what this server is and where its doors are (the GraphQL API and, in
development, its explorer; EPCIS; the GS1 resolver; health; the documentation), in Vietnamese or English by
`Accept-Language` (or `?lang=`), with the security headers of every public HTML page; JSON for a client that
asks for it. And `GET /docs/{name}.md`, the project's documentation as plain Markdown."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from services.common import paths
from services.common.language import negotiate
from services.trace import page as trace_pages
from web.public import PublicRequest
from web.refusals import not_found
from web.responses import ORJSONResponse, html_security_headers

# The documents `/docs/...` serves, with their titles: a fixed list, never a path from the request.
DOCS: dict[str, tuple[str, str]] = {
    "frontend": ("API GraphQL cho lập trình viên giao diện", "GraphQL API for frontend teams"),
    "tracing": ("Truy xuất nguồn gốc: lô hàng, sự kiện EPCIS", "Traceability: lots and EPCIS events"),
    "labels": ("Tem QR và mã GS1 Digital Link", "QR labels and GS1 Digital Links"),
    "registry": ("Sổ đăng ký chủ thể và sản phẩm OCOP", "The OCOP producer and product registry"),
    "packaging": ("Thiết kế bao bì và nhãn hàng hóa", "Packaging designs and product labels"),
    "fairs": ("Hội chợ và catalogue", "Trade fairs and catalogs"),
    "accounts": ("Tài khoản, vai trò, mã truy cập", "Accounts, roles and tokens"),
    "operators": ("Vận hành máy chủ", "Running the server"),
}


def _wants_json(accept: str) -> bool:
    """A client that asks for JSON and not for HTML (a browser always names text/html)."""
    accept = accept.lower()
    return "application/json" in accept and "text/html" not in accept


async def home(request: Request) -> Response:
    public = PublicRequest.of(request)
    explorer = request.app.state.graphql.get_view is not None  # GraphiQL: development only
    docs = [
        (f"/docs/{name}.md", titles)
        for name, titles in DOCS.items()
        if (paths.ROOT / "docs" / f"{name}.md").is_file()
    ]
    if _wants_json(public.accept):
        return ORJSONResponse(
            {
                "name": "ocop-hub",
                "description": "OCOP producer and product registry, GS1 EPCIS 2.0 traceability, QR labels "
                "(GS1 Digital Link), packaging designs and trade fairs.",
                "graphql": "/graphql",
                "graphqlExplorer": "/graphql" if explorer else None,
                "epcis": "/epcis/events",
                "resolver": "/.well-known/gs1resolver",
                "health": "/healthz",
                "ready": "/readyz",
                "docs": [href for href, _ in docs],
            },
            headers={"Vary": "Accept, Accept-Language"},
        )
    lang_param = request.query_params.get("lang") if request.scope.get("query_string") else None
    lang = negotiate(lang_param, public.accept_language).value
    html = (
        trace_pages.environment()
        .get_template("home.html")
        .render(lang=lang, explorer=explorer, docs=[(href, titles[lang == "en"]) for href, titles in docs])
    )
    body = html.encode()
    headers = {
        "Vary": "Accept, Accept-Language",
        "Content-Language": lang,
        "Cache-Control": "public, max-age=300",
    } | html_security_headers(body)
    return HTMLResponse(body, headers=headers)


async def doc(request: Request) -> Response:
    name = request.path_params["name"]
    path = paths.ROOT / "docs" / f"{name}.md"
    if name not in DOCS or not path.is_file():
        return not_found(request, "Không có tài liệu này.", "No such document.")
    return PlainTextResponse(
        path.read_text(encoding="utf-8"),
        media_type="text/markdown; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


routes: list[BaseRoute] = [
    Route("/", home, methods=["GET", "HEAD"]),
    Route("/docs/{name}.md", doc, methods=["GET", "HEAD"]),
]
