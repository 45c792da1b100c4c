/** `polystore migrate`, `migrate status` and `migrate --dry-run`: db.migrate() and db.migrationStatus() from the command line. */
import { type ConnectionFlags, openProject, type Project } from './project.js';
import { driftWarning } from '../operations/migrate.js';
import type { EmbeddingStatus } from '../operations/embedding-status.js';
import type { MigrationStatus } from '../operations/migration-report.js';
import type { MilvusCollectionSpec } from '../runtime/contract/milvus-spec.js';

export interface MigrateFlags extends ConnectionFlags {
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
}

export interface MigrateDownFlags extends MigrateFlags {
  to: string;
  force?: boolean;
}

async function withProject(flags: ConnectionFlags, run: (project: Project) => Promise<void>): Promise<void> {
  const project = await openProject(flags, { postgres: 'migrate', milvus: 'when-used' });
  try {
    await run(project);
  } finally {
    await project.runtime.close();
  }
}

export function runMigrate(flags: MigrateFlags): Promise<void> {
  return withProject(flags, async ({ runtime, onMilvus }) => {
    if (flags.dryRun) {
      const status = await runtime.migrationStatus();
      if (flags.json) console.log(JSON.stringify(status, null, 2));
      else printPlan(status, onMilvus.map((descriptor) => descriptor.milvus));
      if (status.status === 'drifted') process.exitCode = 1;
      return;
    }
    const result = await runtime.migrate({ force: flags.force });
    const refused = result.documents.flatMap((documents) => documents.refused.map((index) => `${documents.collection}.${index.index}: ${index.reason}`));
    // An index the server would not build leaves the schema unapplied: the command fails, after doing the rest.
    if (refused.length > 0) process.exitCode = 1;
    if (flags.json) return void console.log(JSON.stringify(result, null, 2));
    console.log(`postgres: ${result.postgres.length === 0 ? 'nothing to apply' : `applied ${result.postgres.join(', ')}`}`);
    for (const warning of result.warnings) console.log(`postgres: warning: ${warning}`);
    for (const { collection, action } of result.milvus) console.log(`milvus: ${collection} ${action}`);
    for (const { collection, created, replaced } of result.documents) {
      const done = [...created.map((index) => `created ${index}`), ...replaced.map((index) => `replaced ${index}`)];
      console.log(`mongodb: ${collection} ${done.length === 0 ? 'unchanged' : done.join(', ')}`);
    }
    for (const line of refused) console.error(`mongodb: the server refused ${line}`);
    for (const embedding of result.embeddings ?? []) console.log(`embedding: ${embeddingLine(embedding)}`);
  });
}

export function runMigrateStatus(flags: Pick<MigrateFlags, keyof ConnectionFlags | 'json'>): Promise<void> {
  return withProject(flags, async ({ runtime }) => {
    const status = await runtime.migrationStatus();
    if (flags.json) console.log(JSON.stringify(status, null, 2));
    else {
      for (const migration of status.postgres) {
        const warning = migration.state === 'changed' ? '  warning: the file changed since it was applied' : migration.state === 'unknown' ? `  warning: ${driftWarning(migration)}` : '';
        console.log(`postgres ${migration.state.padEnd(8)} ${migration.tag}  sha256 ${migration.hash.slice(0, 12)}${warning}`);
      }
      for (const collection of status.milvus) {
        const detail = collection.state === 'drifted' ? `: ${collection.problems.join('; ')}` : collection.missingIndexes.length > 0 ? `: indexes missing on ${collection.missingIndexes.join(', ')}` : '';
        console.log(`milvus   ${collection.state.padEnd(8)} ${collection.collection}${detail}`);
      }
      for (const collection of status.documents) {
        const details = [
          ...collection.missing.map((index) => `missing ${index}`),
          ...collection.drifted.map((d) => `drifted ${d.index} (schema ${d.expected}, MongoDB ${d.found})`),
          ...collection.extra.map((index) => `extra ${index} (kept)`),
        ];
        console.log(`mongodb  ${collection.state.padEnd(8)} ${collection.collection}${details.length > 0 ? `: ${details.join('; ')}` : ''}`);
      }
      for (const embedding of status.embeddings ?? []) console.log(`embedding ${embedding.state.padEnd(8)} ${embeddingLine(embedding)}`);
      const changing = (status.embeddings ?? []).filter((embedding) => embedding.state === 'changing').map((embedding) => embedding.collection);
      const summary = status.status === 'current' ? 'every store is up to date' : status.status === 'pending' ? 'migrations are pending: run `polystore migrate`' : 'a store drifted from the schema';
      console.log(`polystore: ${summary}${refusedModels(status) ? '; the facade refuses a collection of another or no recorded model' : changing.length > 0 ? `; a change of embedding model is under way (${changing.join(', ')})` : ''}.`);
    }
    // A change of model under way is work in progress, not drift: only a collection the facade refuses fails.
    if (status.status !== 'current' || refusedModels(status)) process.exitCode = 1;
  });
}

export function runMigrateDown(flags: MigrateDownFlags): Promise<void> {
  return withProject(flags, async ({ runtime }) => {
    const result = await runtime.migrateDown({ to: flags.to, force: flags.force, dryRun: flags.dryRun });
    if (flags.json) return void console.log(JSON.stringify(result, null, 2));
    if (flags.dryRun) for (const statement of result.statements) console.log(statement);
    for (const drop of result.drops) console.log(`-- ${flags.dryRun ? 'would drop' : 'dropped'} ${drop.column ? `column "${drop.table}"."${drop.column}": ${drop.rows} non-null values` : `table "${drop.table}": ${drop.rows} rows`}`);
    if (flags.dryRun && !flags.force && result.drops.some((drop) => drop.rows > 0)) console.log('-- without --force, the real run is refused: it would drop the rows above');
    const tags = result.reversed.join(', ');
    console.log(`polystore: ${result.reversed.length === 0 ? `nothing applied after ${flags.to}` : flags.dryRun ? `would reverse ${tags}; dry run, nothing was changed` : `reversed ${tags}`}.`);
  });
}

/** What `migrate` would run: each pending migration's SQL, and the Milvus requests. */
function printPlan(status: MigrationStatus, specs: MilvusCollectionSpec[]): void {
  for (const migration of status.postgres) {
    const warning = driftWarning(migration);
    if (warning) console.log(`-- warning: ${warning}`);
    if (migration.state !== 'pending') continue;
    console.log(`-- ${migration.tag} (sha256 ${migration.hash.slice(0, 12)})`);
    for (const statement of migration.statements) console.log(statement);
  }
  for (const collection of status.milvus) {
    const spec = specs.find((candidate) => candidate.collection_name === collection.collection)!;
    if (collection.state === 'drifted') console.log(`// milvus: "${collection.collection}" differs from the schema, migrate will refuse: ${collection.problems.join('; ')}`);
    if (collection.state === 'missing') console.log(`// milvus: create collection "${collection.collection}" (${spec.fields.map((field) => `${field.name} ${field.data_type}${field.dim ? `(${field.dim})` : ''}`).join(', ')})`);
    for (const index of spec.indexes.filter((candidate) => collection.missingIndexes.includes(candidate.field_name))) {
      console.log(`// milvus: create ${index.index_type} index on "${collection.collection}".${index.field_name}${index.metric_type ? ` (${index.metric_type})` : ''}`);
    }
    if (collection.state === 'missing') console.log(`// milvus: load "${collection.collection}"`);
  }
  for (const collection of status.documents) {
    if (collection.state === 'missing') console.log(`// mongodb: create collection "${collection.collection}"`);
    for (const index of collection.missing) console.log(`// mongodb: create index ${index} on "${collection.collection}"`);
    for (const d of collection.drifted) console.log(`// mongodb: ${d.index} on "${collection.collection}" differs (schema ${d.expected}, MongoDB ${d.found}): replaced only with --force`);
  }
  const pending = status.postgres.filter((migration) => migration.state === 'pending').length;
  console.log(`-- polystore: dry run, nothing was changed (${pending} migration(s) pending).`);
}

const refusedModels = (status: MigrationStatus) => (status.embeddings ?? []).some((embedding) => embedding.state === 'mismatch' || embedding.state === 'unrecorded');

/** A collection's embedding models, and what to do next while its model changes. */
function embeddingLine({ collection, model, active, state, reembed }: EmbeddingStatus): string {
  if (state === 'unrecorded') return `${collection}: ${JSON.stringify(model)} is not recorded yet: run polystore migrate`;
  if (state === 'mismatch') return `${collection}: the database reads ${JSON.stringify(active)}, which the schema does not declare (${JSON.stringify(model)})`;
  if (state === 'current') return `${collection}: ${JSON.stringify(model)}`;
  if (active === model) return `${collection}: reads ${JSON.stringify(model)}; polystore vectors reembed ${collection} --finalize drops the previous model's vectors`;
  const filled = reembed?.model === model ? `${reembed.done} of ${reembed.total} re-embedded` : 'not re-embedded yet';
  const next = `polystore vectors reembed ${collection}${reembed?.model === model && reembed.finishedAt ? ' --cutover switches reads' : ' fills it'}`;
  return `${collection}: reads ${JSON.stringify(active)}, the schema's ${JSON.stringify(model)} ${filled}: ${next}`;
}
