/**
 * `db.migrate()` / `polystore migrate` for every store the schema uses: drizzle/'s migrations on PostgreSQL
 * (under the advisory lock), then each collection on the milvus backend created or checked with its indexes.
 * `migrationStatus` is the same comparison without changing anything: what `migrate status` and `--dry-run` show.
 */
import { inspectDocuments, migrateDocuments, refuseDrift } from './document-indexes.js';
import type { MigrateResult, MigrationStatus } from './migration-report.js';
import { PolystoreError } from '../errors.js';
import type { MongoCollectionSpec } from '../runtime/contract/mongo-spec.js';
import type { VectorCollectionDescriptor } from '../runtime/contract/vector-store.js';
import { inspectCollection } from '../runtime/milvus/inspect-collection.js';
import type { MilvusConnection } from '../runtime/milvus/milvus-connection.js';
import { type MongoConnection, onMongo } from '../runtime/mongodb/mongo-connection.js';
import type { Connection } from '../runtime/postgres/connection.js';
import type { WriteCancel } from '../runtime/contract/write-cancel.js';
import { type MigrationState, migrationStates, rawQuery } from '../runtime/postgres/migration-journal.js';

export interface MigrationTargets {
  connection: Pick<Connection<never>, 'execute'> & { migrate(migrationsFolder: string, cancel?: WriteCancel): Promise<string[]> };
  migrationsFolder: string;
  milvus: MilvusConnection;
  /** The collections on the milvus backend (after the configuration's `vectorBackends`). */
  milvusCollections: readonly VectorCollectionDescriptor[];
  /** The documents' collections, when `mongodb` is configured. */
  documents?: { mongo: MongoConnection; specs: readonly MongoCollectionSpec[] } | undefined;
}

const inspectDocumentsOf = async (targets: MigrationTargets) => {
  const documents = targets.documents;
  return documents ? onMongo('migration status', async () => inspectDocuments(await documents.mongo.db(), documents.specs)) : [];
};

const inspectAll = (targets: MigrationTargets) => Promise.all(targets.milvusCollections.map((descriptor) => inspectCollection(targets.milvus, descriptor.milvus)));

export async function migrationStatus(targets: MigrationTargets): Promise<MigrationStatus> {
  const postgres = await migrationStates(targets.migrationsFolder, rawQuery(targets.connection));
  const milvus = await inspectAll(targets);
  const documents = await inspectDocumentsOf(targets);
  const drifted = postgres.some((m) => m.state === 'changed' || m.state === 'unknown') || milvus.some((c) => c.state === 'drifted') || documents.some((d) => d.state === 'drifted');
  const pending = postgres.some((m) => m.state === 'pending') || milvus.some((c) => c.state === 'missing' || c.missingIndexes.length > 0) || documents.some((d) => d.state !== 'present');
  return { status: drifted ? 'drifted' : pending ? 'pending' : 'current', postgres, milvus, documents };
}

/**
 * Refuses, before changing anything, when a Milvus collection drifted from the schema (every difference of
 * every collection listed) or, without `force`, a MongoDB index did; then applies PostgreSQL's migrations,
 * ensures each Milvus collection and brings the documents' collections and indexes to the schema.
 */
export async function migrateStores(targets: MigrationTargets, force = false, cancel?: WriteCancel): Promise<MigrateResult> {
  if (!force) refuseDrift(await inspectDocumentsOf(targets));
  const before = await inspectAll(targets);
  const drifted = before.filter((collection) => collection.state === 'drifted');
  if (drifted.length > 0) {
    const listed = drifted.map((collection) => `"${collection.collection}": ${collection.problems.join('; ')}`).join(' | ');
    throw new PolystoreError('SCHEMA_MISMATCH', `Milvus collections differ from the schema, nothing was migrated: ${listed}. Copy each into a new collection (polystore vectors copy) or drop it.`);
  }
  const postgres = await targets.connection.migrate(targets.migrationsFolder, cancel);
  const warnings = (await migrationStates(targets.migrationsFolder, rawQuery(targets.connection))).flatMap((migration) => driftWarning(migration) ?? []);
  for (const descriptor of targets.milvusCollections) await targets.milvus.ensure(descriptor);
  const target = targets.documents;
  const documents = target ? await onMongo('migrate', async () => migrateDocuments(await target.mongo.db(), target.specs, force)) : [];
  return {
    postgres,
    warnings,
    documents,
    milvus: before.map((collection) => ({
      collection: collection.collection,
      action: collection.state === 'missing' ? 'created' : collection.missingIndexes.length > 0 ? 'indexed' : 'unchanged',
    })),
  };
}

/** What is wrong with an applied migration, if anything. */
export function driftWarning(migration: MigrationState): string | undefined {
  if (migration.state === 'changed') return `${migration.tag} changed since it was applied (sha256 now ${migration.hash.slice(0, 12)}): it will not run again`;
  if (migration.state === 'unknown') return `a migration applied ${new Date(migration.when).toISOString()} (sha256 ${migration.hash.slice(0, 12)}) is not in drizzle/: the database is ahead of this code`;
  return undefined;
}
