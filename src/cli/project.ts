/**
 * What the operations commands open: the project's generated facade parts (drizzle/schema.ts, the vector
 * descriptors of generated/vectors.ts) and a runtime connected where the flags, the environment (through the
 * flags) or polystore.config.ts's `connections` say, in that order.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createJiti } from 'jiti';
import { PolystoreError } from '../errors.js';
import { createRuntime } from '../facade/create-runtime.js';
import { postgresUrl } from '../runtime/checks/check-options.js';
import type { MongoCollectionSpec } from '../runtime/contract/mongo-spec.js';
import type { PolystoreOptions } from '../runtime/contract/options.js';
import type { VectorCollectionDescriptor } from '../runtime/contract/vector-store.js';
import { CONFIG_FILE, readConfig } from '../schema/read-config.js';

export interface ConnectionFlags {
  out?: string;
  postgres?: string;
  pgliteDir?: string;
  milvus?: string;
  milvusToken?: string;
  milvusDatabase?: string;
  mongodb?: string;
}

const jiti = createJiti(import.meta.url, { fsCache: false, interopDefault: true });

const isDescriptor = (value: unknown): value is VectorCollectionDescriptor =>
  typeof value === 'object' && value !== null && 'milvus' in value && 'fields' in value && 'dimension' in value;

export type Project = Awaited<ReturnType<typeof openProject>>;

/** The stores the flags (or their environment variables) name, else polystore.config.ts's `connections`, and its output root. */
export async function resolveConnections(flags: ConnectionFlags) {
  const cwd = process.cwd();
  const found = await readConfig(cwd);
  const connections = found?.config.connections ?? {};
  const out = flags.out ? resolve(cwd, flags.out) : found?.config.out ? resolve(found.base, found.config.out) : cwd;
  const milvus = flags.milvus ? { address: flags.milvus, token: flags.milvusToken, database: flags.milvusDatabase } : connections.milvus;
  const mongodb = flags.mongodb ? { url: flags.mongodb } : connections.mongodb;
  const postgres = flags.postgres || connections.postgres;
  // The configuration's URL checked before a driver sees it (postgres.js says only `Invalid URL`); the flag's was, by the CLI.
  if (!flags.postgres && connections.postgres !== undefined) {
    const url = typeof connections.postgres === 'object' ? connections.postgres.url : connections.postgres;
    const wrong = postgresUrl(url);
    if (typeof wrong === 'string') throw new PolystoreError('INVALID_OPTION', `connections.postgres${typeof connections.postgres === 'object' ? '.url' : ''} in ${CONFIG_FILE}: ${wrong}`);
  }
  return { out, postgres, milvus, mongodb, vectorBackends: connections.vectorBackends, embedders: found?.config.embedders };
}

/**
 * `needs` says what needs each store, for the error naming its flag when it is missing; Milvus `when-used`: needed
 * when the schema or the configuration puts a collection on it.
 */
export async function openProject(flags: ConnectionFlags, needs: { postgres?: string | undefined; milvus?: string | undefined } = {}) {
  const { out, postgres, milvus, mongodb, vectorBackends, embedders } = await resolveConnections(flags);
  const [vectorsFile, schemaFile] = [join(out, 'generated/vectors.ts'), join(out, 'drizzle/schema.ts')];
  if (!existsSync(vectorsFile)) throw new PolystoreError('GENERATED_NOT_FOUND', `${vectorsFile} not found: run \`polystore generate\` first, or point --out at its root`);
  const descriptors = Object.values(await jiti.import<Record<string, unknown>>(vectorsFile)).filter(isDescriptor);
  if (needs.postgres && !postgres && !flags.pgliteDir) {
    throw new PolystoreError('INVALID_INPUT', `${needs.postgres} needs --postgres <url> or --pglite-dir <dir> (or POLYSTORE_POSTGRES_URL, or connections.postgres in polystore.config.ts)`);
  }
  // PGlite would throw a bare `ErrnoError { errno: 54 }` for a file.
  if (!postgres && flags.pgliteDir && existsSync(flags.pgliteDir) && !statSync(flags.pgliteDir).isDirectory()) {
    throw new PolystoreError('INVALID_OPTION', `--pglite-dir: ${flags.pgliteDir} is not a directory`);
  }
  const options: PolystoreOptions = {
    ...(postgres ? { postgres } : { pglite: { dataDir: flags.pgliteDir } }),
    ...(milvus ? { milvus } : {}),
    ...(mongodb ? { mongodb } : {}),
    ...(vectorBackends ? { vectorBackends } : {}),
    ...(embedders ? { embedders } : {}),
  };
  const backendOf = (descriptor: VectorCollectionDescriptor) => options.vectorBackends?.[descriptor.name] ?? descriptor.backend;
  const onMilvus = descriptors.filter((descriptor) => backendOf(descriptor) === 'milvus');
  const milvusNeeded = needs.milvus === 'when-used' ? onMilvus.length > 0 && `the milvus backend of ${onMilvus.map((d) => `"${d.name}"`).join(', ')}` : needs.milvus;
  if (milvusNeeded && !milvus) throw new PolystoreError('INVALID_INPUT', `${milvusNeeded} needs --milvus <address or path.db> (or POLYSTORE_MILVUS_ADDRESS, or connections.milvus in polystore.config.ts)`);
  const schema = await jiti.import<Record<string, unknown>>(schemaFile);
  // generated/mongodb.ts is new in this release: a project generated before it has no documents to migrate yet.
  const mongoFile = join(out, 'generated/mongodb.ts');
  const documents = existsSync(mongoFile) ? ((await jiti.import<{ mongoCollections?: MongoCollectionSpec[] }>(mongoFile)).mongoCollections ?? []) : [];
  const runtime = createRuntime(schema, pathToFileURL(join(out, 'generated/index.ts')).href, descriptors, options, documents);
  return { out, descriptors, runtime, onMilvus };
}
