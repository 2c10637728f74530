"""The HTTP adapters beside `schema/`: the REST and HTML twin of the GraphQL layer. One module per surface,
each exporting its `routes` (Starlette routes, composed by `server.create_app`); like `schema/`, a module
here parses a request, asks policy, calls a service and shapes the answer, and holds no domain rule.
Services never import this package."""
