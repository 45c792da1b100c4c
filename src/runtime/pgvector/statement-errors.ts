/** The database's errors as PolystoreErrors a caller can act on, for every statement the pgvector modules run. */
import { PolystoreError } from '../../errors.js';

/** Runs a statement, turning the database's errors into PolystoreErrors named after `operation`. */
export async function runStatement<R>(operation: string, statement: () => Promise<R>): Promise<R> {
  try {
    return await statement();
  } catch (error) {
    if (error instanceof PolystoreError) throw error;
    type DriverError = { code?: string; detail?: string; message?: string };
    const cause = (error as { cause?: DriverError }).cause ?? (error as DriverError);
    if (cause.code === '23505') {
      // Worded as on Milvus: "Key (id)=(…) already exists." names the id.
      const id = /^Key \(id\)=\((.*)\) already exists\.$/s.exec(cause.detail ?? '')?.[1];
      const what = id === undefined ? 'a record with this id' : `a record with id ${JSON.stringify(id)}`;
      throw new PolystoreError('DUPLICATE_ID', `${operation}: ${what} already exists; nothing was written`, { cause: error });
    }
    // A missing table (42P01), or pgvector itself (42704, type "vector" does not exist): the migrations make both.
    if (cause.code === '42P01' || cause.code === '42704') {
      throw new PolystoreError('COLLECTION_MISSING', `${operation}: ${cause.message}; run the migrations (db.migrate())`, { cause: error });
    }
    // A generation's column dropped (`--finalize`) under a process that still read it: its record is read again.
    if (cause.code === '42703' && /column "embedding(_\d+)?"/.test(cause.message ?? '')) {
      throw new PolystoreError('EMBEDDING_STATE_CHANGED', `${operation}: ${cause.message} (the embeddings' generations changed)`, { cause: error });
    }
    // 26000 (no such prepared statement): a pooler in transaction mode ran the statement on another server connection.
    const hint = cause.code === '26000' ? ' (behind a pooler in transaction mode, such as PgBouncer, set postgres.prepare: false or ?prepare=false)' : '';
    throw new PolystoreError('DATABASE_ERROR', `${operation}: ${cause.message ?? String(error)}${hint}`, { cause: error });
  }
}
