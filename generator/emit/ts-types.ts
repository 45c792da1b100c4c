import { tsLiteral } from './ts-literal.js';

/** The TypeScript type of each scalar kind, shared by document and vector record types. */
export const SCALAR_TS_TYPE = {
  string: 'string',
  int: 'number',
  bigint: 'bigint',
  float: 'number',
  boolean: 'boolean',
  datetime: 'Date',
  json: 'JsonValue',
} as const;

export const enumUnion = (values: readonly string[]) => values.map((value) => tsLiteral(value)).join(' | ');
