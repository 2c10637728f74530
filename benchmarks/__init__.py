"""Load benchmark of the GraphQL API against a plain Starlette floor: see README.md."""
