/** Every error polystore throws on purpose is a PolystoreError with a stable `code`. */
export class PolystoreError extends Error {
  override readonly name: string = 'PolystoreError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Text on one line: every run of white space (line breaks too) one space. */
export const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** What was thrown, as words: a non-Error too (PGlite throws `ErrnoError { errno }` objects, a module may throw a string). */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error !== 'object' || error === null) return String(error);
  let fields: string;
  try {
    fields = JSON.stringify(error);
  } catch {
    fields = String(error);
  }
  return `${error.constructor?.name ?? 'Object'} ${fields}`;
}

export type SchemaIssueCode =
  | 'invalid_identifier'
  | 'reserved_word'
  | 'duplicate_name'
  | 'unknown_reference'
  | 'unknown_field'
  | 'invalid_type'
  | 'invalid_value'
  | 'dimension_out_of_range'
  | 'index_parameter_out_of_range'
  | 'milvus_limit'
  | 'invalid_partition'
  | 'embedding_change_in_progress';

/** One problem in a schema, located by its path (Zod-style). */
export interface SchemaIssue {
  code: SchemaIssueCode;
  path: ReadonlyArray<string | number>;
  message: string;
}

export function formatIssue(issue: SchemaIssue): string {
  return `${issue.path.join('.')}: ${issue.message}`;
}

/** The schema is invalid; `issues` lists every problem found, not only the first. */
export class SchemaValidationError extends PolystoreError {
  override readonly name = 'SchemaValidationError';
  constructor(readonly issues: readonly SchemaIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('SCHEMA_INVALID', `The schema has ${count}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
  }
}

/** One problem with the input of a call, located by its path (`records.3.embedding.5`). */
export interface InputIssue {
  code: string;
  path: ReadonlyArray<string | number>;
  message: string;
}

/**
 * A call's input is invalid; nothing was sent to the database. `code` is the
 * first issue's code; `issues` lists every problem found (up to 100).
 */
export class InvalidInputError extends PolystoreError {
  override readonly name = 'InvalidInputError';
  constructor(
    readonly operation: string,
    readonly issues: readonly InputIssue[],
  ) {
    super(issues[0].code, `${operation}: ${issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ')}`);
  }
}

/**
 * A Milvus write (which has no transactions) failed midway, and undoing what had landed failed too, because
 * Milvus stayed unreachable. `written` lists the ids whose new values are in Milvus, `uncertain` those of the
 * request that failed (in Milvus or not); every other record of the call was not written. Upserting the same
 * records again finishes the call: upsert is idempotent, where insert would refuse the written ids.
 */
export class PartialWriteError extends PolystoreError {
  override readonly name = 'PartialWriteError';
  constructor(
    message: string,
    readonly written: readonly string[],
    readonly uncertain: readonly string[],
    options?: { cause?: unknown },
  ) {
    super('PARTIAL_WRITE', message, options);
  }
}

/**
 * An embedder's call failed, or returned what cannot be stored (too few or too many vectors, the wrong dimension,
 * NaN, a zero vector of a cosine collection): `issues` name each, on the record or query it was for. Nothing of
 * the call was written.
 */
export class EmbeddingError extends PolystoreError {
  override readonly name = 'EmbeddingError';
  constructor(
    readonly operation: string,
    readonly model: string,
    readonly issues: readonly InputIssue[],
    options?: { cause?: unknown },
  ) {
    super('EMBEDDING_FAILED', `${operation}: the embedder of ${JSON.stringify(model)}: ${issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ')}; nothing was written`, options);
  }
}
