/**
 * `db.migrate()` / `polystore migrate` for every store the schema uses: drizzle/'s migrations on PostgreSQL
 * (under the advisory lock), then each collection on the milvus backend created or checked with its indexes.
 * `migrationStatus` is the same comparison without changing anything: what `migrate status` and `--dry-run` show.
 */
import { PolystoreError } from '../errors.js';
import type { Connection } from '../runtime/connection.js';
import { type MigrationState, migrationStates, rawQuery } from '../runtime/migration-journal.js';
import { type CollectionState, inspectCollection } from '../runtime/milvus/inspect-collection.js';
import type { MilvusConnection } from '../runtime/milvus/milvus-connection.js';
import type { VectorCollectionDescriptor } from '../runtime/vector-store.js';

export interface MigrationTargets {
  connection: Pick<Connection<never>, 'execute' | 'migrate'>;
  migrationsFolder: string;
  milvus: MilvusConnection;
  /** The collections on the milvus backend (after the configuration's `vectorBackends`). */
  milvusCollections: readonly VectorCollectionDescriptor[];
}

export interface MigrationStatus {
  /** `pending`: something to apply; `drifted`: an applied migration's file changed, or a Milvus collection differs from the schema. */
  status: 'current' | 'pending' | 'drifted';
  postgres: MigrationState[];
  milvus: CollectionState[];
}

export interface MigrateResult {
  /** Tags of the migrations this call applied (none when another process had applied them). */
  postgres: string[];
  milvus: Array<{ collection: string; action: 'created' | 'indexed' | 'unchanged' }>;
}

export async function migrationStatus(targets: MigrationTargets): Promise<MigrationStatus> {
  const postgres = await migrationStates(targets.migrationsFolder, rawQuery(targets.connection));
  const milvus = await Promise.all(targets.milvusCollections.map((descriptor) => inspectCollection(targets.milvus, descriptor.milvus)));
  const drifted = postgres.some((m) => m.state === 'changed') || milvus.some((c) => c.state === 'drifted');
  const pending = postgres.some((m) => m.state === 'pending') || milvus.some((c) => c.state === 'missing' || c.missingIndexes.length > 0);
  return { status: drifted ? 'drifted' : pending ? 'pending' : 'current', postgres, milvus };
}

/**
 * Refuses, before changing anything, when a Milvus collection drifted from the schema (every difference of
 * every collection listed); then applies PostgreSQL's migrations and ensures each Milvus collection.
 */
export async function migrateStores(targets: MigrationTargets): Promise<MigrateResult> {
  const before = await Promise.all(targets.milvusCollections.map((descriptor) => inspectCollection(targets.milvus, descriptor.milvus)));
  const drifted = before.filter((collection) => collection.state === 'drifted');
  if (drifted.length > 0) {
    const listed = drifted.map((collection) => `"${collection.collection}": ${collection.problems.join('; ')}`).join(' | ');
    throw new PolystoreError('SCHEMA_MISMATCH', `Milvus collections differ from the schema, nothing was migrated: ${listed}. Copy each into a new collection (polystore vectors copy) or drop it.`);
  }
  const postgres = await targets.connection.migrate(targets.migrationsFolder);
  for (const descriptor of targets.milvusCollections) await targets.milvus.ensure(descriptor);
  return {
    postgres,
    milvus: before.map((collection) => ({
      collection: collection.collection,
      action: collection.state === 'missing' ? 'created' : collection.missingIndexes.length > 0 ? 'indexed' : 'unchanged',
    })),
  };
}
