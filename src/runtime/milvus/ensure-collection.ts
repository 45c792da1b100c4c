/**
 * Ensure on first use: create the collection from its generated spec when it is missing, check it against
 * the spec when it exists (a live collection that no longer matches is an error, never used silently),
 * create missing indexes, and load it. Processes that ensure one new collection at once each end with it: what
 * another one created meanwhile is checked like anything live, and a step that saw another's half-done work is
 * tried again.
 */
// Types only: the spec's data types are the SDK's own names, so no SDK value (nor gRPC) loads with this module.
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import pRetry from 'p-retry';
import { PolystoreError } from '../../errors.js';
import type { MilvusFieldSpec, MilvusIndexSpec } from '../milvus-spec.js';
import type { VectorCollectionDescriptor } from '../vector-store.js';
import type { MilvusConnection } from './milvus-connection.js';
import { checkServerVersion, serverVersion } from './server-version.js';

interface LiveField {
  name: string;
  data_type: string;
  nullable?: boolean;
  is_primary_key?: boolean;
  is_partition_key?: boolean;
  type_params: Array<{ key: string; value: string }>;
}

/**
 * Ensures of one collection in several processes race: Milvus Lite lists a collection whose schema another
 * process has not written yet (COLLECTION_MISSING), and says "already exists" of an index not yet described.
 */
const ENSURE_ATTEMPTS = 4;
const alreadyExists = (error: unknown) => error instanceof PolystoreError && /already exist/i.test(error.message);
const raced = (error: unknown) => alreadyExists(error) || (error instanceof PolystoreError && error.code === 'COLLECTION_MISSING');

export function ensureCollection(milvus: MilvusConnection, descriptor: VectorCollectionDescriptor): Promise<void> {
  return pRetry(() => ensureOnce(milvus, descriptor), { retries: ENSURE_ATTEMPTS - 1, minTimeout: 100, maxTimeout: 1_000, shouldRetry: ({ error }) => raced(error) });
}

async function ensureOnce(milvus: MilvusConnection, descriptor: VectorCollectionDescriptor): Promise<void> {
  const spec = descriptor.milvus;
  const name = spec.collection_name;
  const operation = `ensure collection "${name}"`;
  checkServerVersion(await serverVersion(milvus, operation, name), spec);
  const exists = await milvus.call(operation, (client) => client.hasCollection({ collection_name: name }), name);
  if (!exists.value) {
    const created = await milvus
      .call(operation, (client) =>
        client.createCollection({
          collection_name: name,
          fields: spec.fields,
          enable_dynamic_field: spec.enable_dynamic_field,
          consistency_level: milvus.consistency,
        }),
        name,
      )
      .catch((error: unknown) => error);
    // Another process may have created it meanwhile: then it is checked like any live collection.
    if (created instanceof Error && !/exist/i.test(created.message)) throw created;
  }
  await checkFields(milvus, name, spec.fields);
  await ensureIndexes(milvus, name, spec.indexes);
  const state = await milvus.call(operation, (client) => client.getLoadState({ collection_name: name }), name);
  if (state.state !== 'LoadStateLoaded') await milvus.call(operation, (client) => client.loadCollection({ collection_name: name }), name);
}

async function checkFields(milvus: MilvusConnection, name: string, expected: readonly MilvusFieldSpec[]): Promise<void> {
  const described = await milvus.call(`describe collection "${name}"`, (client) => client.describeCollection({ collection_name: name }), name);
  const live = new Map((described.schema.fields as LiveField[]).filter((field) => !field.name.startsWith('$')).map((field) => [field.name, field]));
  const problems: string[] = [];
  for (const field of expected) {
    const found = live.get(field.name);
    live.delete(field.name);
    if (!found) {
      problems.push(`field "${field.name}" is missing`);
      continue;
    }
    const param = (key: string) => found.type_params.find((p) => p.key === key)?.value;
    const differences = [
      found.data_type !== field.data_type && `type ${found.data_type}, expected ${field.data_type}`,
      field.dim !== undefined && Number(param('dim')) !== field.dim && `dimension ${param('dim')}, expected ${field.dim}`,
      field.max_length !== undefined && Number(param('max_length')) !== field.max_length && `max_length ${param('max_length')}, expected ${field.max_length}`,
      Boolean(found.nullable) !== Boolean(field.nullable) && (field.nullable ? 'not nullable, expected nullable' : 'nullable, expected not nullable'),
      Boolean(found.is_primary_key) !== Boolean(field.is_primary_key) && 'primary key differs',
      Boolean(found.is_partition_key) !== Boolean(field.is_partition_key) && 'partition key differs',
    ].filter(Boolean);
    if (differences.length > 0) problems.push(`field "${field.name}": ${differences.join(', ')}`);
  }
  for (const extra of live.keys()) problems.push(`field "${extra}" is not in the schema`);
  if (problems.length > 0) throw mismatch(name, problems);
}

async function ensureIndexes(milvus: MilvusConnection, name: string, expected: readonly MilvusIndexSpec[]): Promise<void> {
  const operation = `index collection "${name}"`;
  const describe = async () => {
    const described = await milvus
      .call(operation, (client) => client.describeIndex({ collection_name: name }), name)
      .catch((error: unknown) => (error instanceof PolystoreError && /no index|index not (exist|found)/i.test(error.message) ? { index_descriptions: [] } : Promise.reject(error)));
    return new Map(described.index_descriptions.map((index) => [index.field_name, Object.fromEntries(index.params.map((p) => [p.key, p.value]))]));
  };
  let live = await describe();
  for (const index of expected) {
    if (!live.has(index.field_name)) {
      const created = await milvus
        .call(
          operation,
          (client: MilvusClient) =>
            client.createIndex({ collection_name: name, field_name: index.field_name, index_name: index.index_name, index_type: index.index_type, metric_type: index.metric_type, params: index.params }),
          name,
        )
        .catch((error: unknown) => error);
      if (!(created instanceof Error)) continue;
      // Another process created it meanwhile: it is checked like any live index (not described yet, the ensure tries again).
      if (!alreadyExists(created)) throw created;
      live = await describe();
      if (!live.has(index.field_name)) throw created;
    }
    const found = live.get(index.field_name)!;
    if (index.metric_type && found.metric_type !== index.metric_type) {
      throw mismatch(name, [`the index on "${index.field_name}" measures ${found.metric_type}, the schema says ${index.metric_type}`]);
    }
  }
}

function mismatch(name: string, problems: string[]): PolystoreError {
  return new PolystoreError(
    'SCHEMA_MISMATCH',
    `Milvus collection "${name}" does not match the schema: ${problems.join('; ')}. Migrate it (polystore vectors copy into a new collection) or drop it; polystore will not use it as it is.`,
  );
}
