/** Column builders for PostgreSQL tables: the SQL type is named, not inferred. */
export type ColumnType =
  | { kind: 'text' }
  | { kind: 'varchar'; length: number }
  | { kind: 'integer' }
  | { kind: 'bigint' }
  | { kind: 'serial' }
  | { kind: 'bigserial' }
  | { kind: 'boolean' }
  | { kind: 'real' }
  | { kind: 'doublePrecision' }
  | { kind: 'numeric'; precision?: number; scale?: number }
  | { kind: 'timestamp'; withTimezone: boolean }
  | { kind: 'date' }
  | { kind: 'jsonb' }
  | { kind: 'inet' }
  | { kind: 'uuid' }
  | { kind: 'vector'; dimensions: number };

export interface ColumnSpec {
  readonly type: ColumnType;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly default?: string | number | boolean | { now: true } | { randomUuid: true };
  /** SQL column name; defaults to the snake_case of the TypeScript name. */
  readonly name?: string;
}

export interface ColumnDef {
  readonly spec: ColumnSpec;
}

class ColumnBuilder implements ColumnDef {
  constructor(readonly spec: ColumnSpec) {}

  private with(patch: Partial<ColumnSpec>): ColumnBuilder {
    return new ColumnBuilder({ ...this.spec, ...patch });
  }
  notNull(): ColumnBuilder {
    return this.with({ notNull: true });
  }
  primaryKey(): ColumnBuilder {
    return this.with({ primaryKey: true, notNull: true });
  }
  unique(): ColumnBuilder {
    return this.with({ unique: true });
  }
  default(value: string | number | boolean): ColumnBuilder {
    return this.with({ default: value });
  }
  defaultNow(): ColumnBuilder {
    return this.with({ default: { now: true } });
  }
  defaultRandomUuid(): ColumnBuilder {
    return this.with({ default: { randomUuid: true } });
  }
  /** Overrides the SQL name (snake_case of the property name by default). */
  named(sqlName: string): ColumnBuilder {
    return this.with({ name: sqlName });
  }
}

const column = (type: ColumnType) => new ColumnBuilder({ type, notNull: false, primaryKey: false, unique: false });

export const col = {
  text: () => column({ kind: 'text' }),
  varchar: (length: number) => column({ kind: 'varchar', length }),
  integer: () => column({ kind: 'integer' }),
  bigint: () => column({ kind: 'bigint' }),
  serial: () => column({ kind: 'serial' }),
  bigserial: () => column({ kind: 'bigserial' }),
  boolean: () => column({ kind: 'boolean' }),
  real: () => column({ kind: 'real' }),
  doublePrecision: () => column({ kind: 'doublePrecision' }),
  numeric: (options: { precision?: number; scale?: number } = {}) => column({ kind: 'numeric', ...options }),
  /** With time zone unless `withTimezone: false`. */
  timestamp: (options: { withTimezone?: boolean } = {}) => column({ kind: 'timestamp', withTimezone: options.withTimezone ?? true }),
  date: () => column({ kind: 'date' }),
  jsonb: () => column({ kind: 'jsonb' }),
  inet: () => column({ kind: 'inet' }),
  uuid: () => column({ kind: 'uuid' }),
  /** pgvector column; stored as halfvec when its index needs more than 2,000 dimensions. */
  vector: (dimensions: number) => column({ kind: 'vector', dimensions }),
};
