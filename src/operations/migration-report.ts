/** What `db.migrate()` and `db.migrationStatus()` answer: types only, so the public declarations do not reach the Milvus SDK. */
import type { CollectionState } from '../runtime/milvus/collection-state.js';
import type { MigrationState } from '../runtime/postgres/migration-journal.js';
import type { EmbeddingStatus } from './embedding-status.js';

export interface MigrationStatus {
  /** `pending`: something to apply; `drifted`: an applied migration's file changed or is missing, or a Milvus collection differs from the schema. */
  status: 'current' | 'pending' | 'drifted';
  postgres: MigrationState[];
  milvus: CollectionState[];
  /** The documents' MongoDB collections, when `mongodb` is configured. */
  documents: DocumentCollectionState[];
  /** Each collection that declares an embedding model: the model reads use, and a change of model under way. */
  embeddings?: EmbeddingStatus[] | undefined;
}

/** A document model's collection in MongoDB, compared with the schema. */
export interface DocumentCollectionState {
  collection: string;
  /** `pending`: indexes to create; `drifted`: an index's definition differs (replaced only with force). */
  state: 'present' | 'missing' | 'pending' | 'drifted';
  /** Indexes of the schema that MongoDB lacks, by name. */
  missing: string[];
  drifted: Array<{ index: string; expected: string; found: string }>;
  /** Indexes MongoDB has and the schema does not (with their definition): reported, never dropped. */
  extra: string[];
}

export interface DocumentsMigrated {
  collection: string;
  created: string[];
  replaced: string[];
  /** Indexes the server would not build, with its words (FerretDB has no text or TTL indexes). */
  refused: Array<{ index: string; reason: string }>;
}

export interface MigrateResult {
  /** Tags of the migrations this call applied (none when another process had applied them). */
  postgres: string[];
  /** Applied migrations whose file changed since, or that drizzle/ does not have: `migrate status` reports them as drifted. */
  warnings: string[];
  milvus: Array<{ collection: string; action: 'created' | 'indexed' | 'unchanged' }>;
  documents: DocumentsMigrated[];
  /** Each collection that declares an embedding model, as recorded now. */
  embeddings?: EmbeddingStatus[] | undefined;
}

/** What `db.migrate()` takes (apart from operations/migrate.ts: this file's declarations reach no driver's). */
export interface MigrateOptions {
  /** Replaces MongoDB indexes whose definition differs from the schema's (dropped, then made again). */
  force?: boolean | undefined;
  /**
   * Gives the call up when it aborts: it rejects with ABORTED at once. PostgreSQL's migrations are applied in one
   * transaction, rolled back when the abort comes first (its wait for the migration lock or its statement
   * cancelled on the server; on PGlite, once begun it runs to its end); each store's steps before the abort stay.
   */
  signal?: AbortSignal | undefined;
  /** Aborts the call after this many milliseconds, as a signal would. */
  timeoutMs?: number | undefined;
}
