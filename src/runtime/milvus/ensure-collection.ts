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
import { liveIndexes, metricProblem, mismatch, schemaProblems } from './inspect-collection.js';
import type { MilvusConnection } from './milvus-connection.js';
import { checkServerVersion, serverVersion } from './server-version.js';
import type { MilvusIndexSpec } from '../contract/milvus-spec.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { PolystoreError } from '../../errors.js';

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
          // BM25 fills the sparse field from the analyzed text, on every write (the SDK names the type as the spec does).
          functions: spec.functions?.map((fn) => ({ ...fn, params: {} })),
          enable_dynamic_field: spec.enable_dynamic_field,
          consistency_level: milvus.consistency,
        }),
        name,
      )
      .catch((error: unknown) => error);
    // Another process may have created it meanwhile: then it is checked like any live collection.
    if (created instanceof Error && !/exist/i.test(created.message)) throw created;
  }
  const problems = await schemaProblems(milvus, spec);
  if (problems.length > 0) throw mismatch(name, problems);
  await ensureIndexes(milvus, name, spec.indexes);
  const state = await milvus.call(operation, (client) => client.getLoadState({ collection_name: name }), name);
  if (state.state !== 'LoadStateLoaded') await milvus.call(operation, (client) => client.loadCollection({ collection_name: name }), name);
}

async function ensureIndexes(milvus: MilvusConnection, name: string, expected: readonly MilvusIndexSpec[]): Promise<void> {
  const operation = `index collection "${name}"`;
  const describe = () => liveIndexes(milvus, name);
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
      throw mismatch(name, [metricProblem(index.field_name, found.metric_type, index.metric_type)]);
    }
  }
}
