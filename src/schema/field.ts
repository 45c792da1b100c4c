/**
 * Field builders shared by documents (MongoDB) and vector collection scalars.
 * A builder holds a plain `spec`, so schemas loaded through another copy of
 * this package (a config file, a test) validate the same way.
 */
export type FieldType =
  | { kind: 'string'; maxLength?: number }
  | { kind: 'int' }
  | { kind: 'bigint' }
  | { kind: 'float' }
  | { kind: 'boolean' }
  | { kind: 'datetime' }
  | { kind: 'json' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'ref'; target: string; relation?: string; inverse?: string; tenant?: string }
  | { kind: 'object'; fields: Readonly<Record<string, FieldDef>> }
  | { kind: 'array'; of: FieldDef };

export interface FieldSpec {
  readonly type: FieldType;
  readonly optional: boolean;
  readonly unique: boolean;
  readonly indexed: boolean;
  /** `{ json }`: a JSON field's default, or a list's (of strings, numbers, booleans or enum values). */
  readonly default?: string | number | boolean | { now: true } | { json: unknown };
  /** Key under which MongoDB stores the field, when it differs from its name. */
  readonly map?: string;
}

export interface FieldDef {
  readonly spec: FieldSpec;
}

class FieldBuilder implements FieldDef {
  constructor(readonly spec: FieldSpec) {}

  private with(patch: Partial<FieldSpec>): FieldBuilder {
    return new FieldBuilder({ ...this.spec, ...patch });
  }
  /** The field may be absent (MongoDB) or NULL (PostgreSQL). */
  optional(): FieldBuilder {
    return this.with({ optional: true });
  }
  unique(): FieldBuilder {
    return this.with({ unique: true });
  }
  /** A single-field index; on a vector collection, a field that filters use often. */
  index(): FieldBuilder {
    return this.with({ indexed: true });
  }
  /** A scalar for a scalar field; any JSON value for a JSON field (a chat's `variables: {}`); an array for a list of scalars. */
  default(value: string | number | boolean | readonly unknown[] | Readonly<Record<string, unknown>> | null): FieldBuilder {
    return this.with({ default: typeof value === 'object' ? { json: value } : value });
  }
  /** Current time on insert (datetime fields only). */
  defaultNow(): FieldBuilder {
    return this.with({ default: { now: true } });
  }
  /** Stores the field under another key (for data written by Mongoose, say). */
  map(storedName: string): FieldBuilder {
    return this.with({ map: storedName });
  }
}

const field = (type: FieldType) => new FieldBuilder({ type, optional: false, unique: false, indexed: false });

export const f = {
  /** `maxLength` bounds strings stored in Milvus (VarChar, at most 65,535 bytes). */
  string: (options: { maxLength?: number } = {}) => field({ kind: 'string', ...options }),
  int: () => field({ kind: 'int' }),
  /** A 64-bit integer (documents only): sizes and token totals past Int's 32 bits. Prisma's BigInt; a JavaScript bigint. */
  bigint: () => field({ kind: 'bigint' }),
  float: () => field({ kind: 'float' }),
  boolean: () => field({ kind: 'boolean' }),
  datetime: () => field({ kind: 'datetime' }),
  /** Free-form JSON: Mongoose's Mixed, PostgreSQL's jsonb, Milvus's JSON. */
  json: () => field({ kind: 'json' }),
  enum: <const V extends readonly string[]>(values: V) => field({ kind: 'enum', values }),
  /**
   * The id of a document. On a document, `relation` names the Prisma relation field to emit beside it and
   * `inverse` the back-relation on the target. On a vector collection it links each vector to its document (see
   * docs/integrity.md): `tenant` names the document's field that holds the collection's tenant.
   */
  ref: (target: string, options: { relation?: string; inverse?: string; tenant?: string } = {}) => field({ kind: 'ref', target, ...options }),
  object: (fields: Record<string, FieldDef>) => field({ kind: 'object', fields }),
  array: (of: FieldDef) => field({ kind: 'array', of }),
};
