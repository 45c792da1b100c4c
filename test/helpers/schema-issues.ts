import { SchemaValidationError, type SchemaIssue } from '../../src/errors.js';
import type { SchemaDef } from '../../src/schema/define.js';
import { parseSchema } from '../../generator/parse/index.js';

/** The issues a schema is rejected with ([] when it is valid). */
export function issuesOf(schema: SchemaDef): SchemaIssue[] {
  try {
    parseSchema(schema);
    return [];
  } catch (error) {
    if (error instanceof SchemaValidationError) return [...error.issues];
    throw error;
  }
}

export const at = (issue: SchemaIssue) => `${issue.path.join('.')}: ${issue.message}`;
