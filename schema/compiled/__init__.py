"""Compiled execution of GraphQL queries: `plan` (a validated operation compiled once into a plan tree),
`executor` (runs a plan with the same resolvers, DataLoaders and SQL as graphql-core, same semantics),
`policy` (when: OCOP_GRAPHQL_COMPILED). graphql-core runs anything the compiler does not support."""
