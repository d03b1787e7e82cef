/**
 * GraphQL Code Generator: typed documents for the SDK from the committed schema
 * (schema/schema.graphql, printed from Pothos by `npm run codegen`).
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['sdk/src/operations/**/*.ts'],
  ignoreNoDocuments: false,
  // STACK trap 5: NodeNext modules want ESM imports with extensions.
  emitLegacyCommonJSImports: false,
  generates: {
    'sdk/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
      },
    },
  },
};

export default config;
