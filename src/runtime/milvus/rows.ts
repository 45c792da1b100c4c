/**
 * Records ↔ Milvus rows. Milvus names fields by their column (snake_case) as the spec does, stores datetimes
 * as Int64 epoch milliseconds and returns Int64 as strings; records read back equal what pgvector returns.
 */
import type { VectorCollectionDescriptor } from '../vector-store.js';

type Row = Record<string, unknown>;

export function rowCodec(descriptor: VectorCollectionDescriptor) {
  const fields = descriptor.fields;
  const scalars = ['id', ...fields.map((field) => field.column)];
  const withVector = [...scalars, 'embedding'];
  return {
    /** The output fields of a read, with or without the vector; fixed per collection. */
    outputFields: (vector: boolean): string[] => (vector ? withVector : scalars),
    toRow(record: Row): Row {
      const row: Row = { id: record.id };
      for (const field of fields) {
        const value = record[field.name];
        row[field.column] = value === undefined || value === null ? null : field.kind === 'datetime' ? (value as Date).getTime() : value;
      }
      row.embedding = Array.from(record.embedding as ArrayLike<number>);
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
