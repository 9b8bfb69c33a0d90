import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the example client operations in schema/operations/*.graphql, generated
 * from the checked-in contract (schema/schema.graphql) — no running server needed. Tests import
 * them, so an operation that drifts from the schema fails type-checking and the suite.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['schema/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/generated/graphql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        importExtension: '.ts',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        strictScalars: true,
      },
    },
  },
};

export default config;
