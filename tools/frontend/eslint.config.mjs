// Schema linter (graphql-eslint): `make lint` runs it on schema.graphql and on the example operations.
// The rule set and why each rule is on: docs/frontend.md, "Schema lint rules".
import graphql from "@graphql-eslint/eslint-plugin";


// Paths are relative to the repository root, where `make lint` runs ESLint.
const graphQLConfig = { schema: "schema.graphql", documents: "examples/operations/*.graphql" };

export default [
  {
    files: ["schema.graphql"],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { "@graphql-eslint": graphql },
    rules: {
      "@graphql-eslint/require-description": [
        "error",
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
      "@graphql-eslint/relay-connection-types": "error",
      "@graphql-eslint/relay-edge-types": ["error", { withEdgeSuffix: true, shouldImplementNode: false, listTypeCanWrapOnlyEdgeType: false }],
      "@graphql-eslint/relay-page-info": "error",
      "@graphql-eslint/relay-arguments": ["error", { includeBoth: false }],
      "@graphql-eslint/naming-convention": [
        "error",
        {
          types: "PascalCase",
          FieldDefinition: "camelCase",
          InputValueDefinition: "camelCase",
          Argument: "camelCase",
          DirectiveDefinition: "camelCase",
          EnumValueDefinition: "UPPER_CASE",
        },
      ],
      "@graphql-eslint/no-unreachable-types": "error",
      "@graphql-eslint/no-hashtag-description": "error",
      "@graphql-eslint/require-deprecation-reason": "error",
      "@graphql-eslint/no-scalar-result-type-on-mutation": "error",
    },
  },
  {
    // The example operations: valid against the schema (graphql-js validation), and the upstream
    // "operations-recommended" set (named operations, no deprecated fields, ids selected for caches).
    files: ["examples/operations/*.graphql"],
    languageOptions: { parser: graphql.parser, parserOptions: { graphQLConfig } },
    plugins: { "@graphql-eslint": graphql },
    rules: graphql.configs["flat/operations-recommended"].rules,
  },
];
