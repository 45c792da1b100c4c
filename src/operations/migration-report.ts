/** What `db.migrate()` and `db.migrationStatus()` answer: types only, so the public declarations do not reach the Milvus SDK. */
import type { MigrationState } from '../runtime/migration-journal.js';
import type { CollectionState } from '../runtime/milvus/collection-state.js';

export interface MigrationStatus {
  /** `pending`: something to apply; `drifted`: an applied migration's file changed or is missing, or a Milvus collection differs from the schema. */
  status: 'current' | 'pending' | 'drifted';
  postgres: MigrationState[];
  milvus: CollectionState[];
}

export interface MigrateResult {
  /** Tags of the migrations this call applied (none when another process had applied them). */
  postgres: string[];
  /** Applied migrations whose file changed since, or that drizzle/ does not have: `migrate status` reports them as drifted. */
  warnings: string[];
  milvus: Array<{ collection: string; action: 'created' | 'indexed' | 'unchanged' }>;
}
