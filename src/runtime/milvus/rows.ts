/**
 * Records ↔ Milvus rows. Milvus names fields by their column (snake_case) as the spec does, stores datetimes
 * as Int64 epoch milliseconds and returns Int64 as strings; records read back equal what pgvector returns.
 */
import { linksOf, WRITTEN_AT_COLUMN } from '../contract/document-link.js';
import { VECTOR_ELEMENT } from '../contract/float16.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';

type Row = Record<string, unknown>;

/**
 * The primary key's field: in a multi-tenant collection `pk`, the tenant and the id together, so that two
 * tenants' records of one id are two rows, never one replacing the other; else the id itself.
 */
export const keyField = (descriptor: VectorCollectionDescriptor): string => (descriptor.tenant === undefined ? 'id' : 'pk');

/** `<tenant length>:<tenant><id>`: the length prefix makes every (tenant, id) pair a distinct key. */
const tenantKey = (tenantId: string, id: string) => `${tenantId.length}:${tenantId}${id}`;

export function rowCodec(descriptor: VectorCollectionDescriptor) {
  const fields = descriptor.fields;
  const scalars = ['id', ...fields.map((field) => field.column)];
  const withVector = [...scalars, 'embedding'];
  const tenant = fields.find((field) => field.name === descriptor.tenant);
  // Milvus holds float32: a halfvec collection's vectors are rounded as pgvector rounds them, so that they read back the same.
  const element = VECTOR_ELEMENT[descriptor.storage].round;
  const linked = linksOf(descriptor).length > 0;
  return {
    /** The output fields of a read, with or without the vector; fixed per collection. */
    outputFields: (vector: boolean): string[] => (vector ? withVector : scalars),
    toRow(record: Row): Row {
      const row: Row = tenant ? { pk: tenantKey(record[tenant.name] as string, record.id as string), id: record.id } : { id: record.id };
      for (const field of fields) {
        const value = record[field.name];
        row[field.column] = value === undefined || value === null ? null : field.kind === 'datetime' ? (value as Date).getTime() : value;
      }
      row.embedding = Array.from(record.embedding as ArrayLike<number>, element);
      if (linked) row[WRITTEN_AT_COLUMN] = Date.now();
      return row;
    },
    toRecord(row: Row): Row {
      const record: Row = { id: row.id };
      for (const field of fields) {
        const value = row[field.column];
        record[field.name] = value === undefined || value === null ? null : field.kind === 'datetime' ? new Date(Number(value)) : value;
      }
      if (row.embedding !== undefined) record.embedding = row.embedding;
      return record;
    },
  };
}
