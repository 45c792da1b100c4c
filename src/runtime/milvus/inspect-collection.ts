/**
 * A Milvus collection compared with its generated spec, changing nothing: what `polystore migrate status` and
 * `--dry-run` report, and what the ensure on first use checks before it uses a live collection.
 */
import type { CollectionState } from './collection-state.js';
import { analyzerDifferences, functionProblems, type LiveFunction } from './inspect-full-text.js';
import type { MilvusConnection } from './milvus-connection.js';
import type { MilvusCollectionSpec, MilvusFieldSpec } from '../contract/milvus-spec.js';
import { PolystoreError } from '../../errors.js';

interface LiveField {
  name: string;
  data_type: string;
  nullable?: boolean;
  is_primary_key?: boolean;
  is_partition_key?: boolean;
  type_params: Array<{ key: string; value: string }>;
}

export async function inspectCollection(milvus: MilvusConnection, spec: MilvusCollectionSpec): Promise<CollectionState> {
  const name = spec.collection_name;
  const exists = await milvus.call(`inspect collection "${name}"`, (client) => client.hasCollection({ collection_name: name }), name);
  if (!exists.value) return { collection: name, state: 'missing', problems: [], missingIndexes: spec.indexes.map((index) => index.field_name) };
  const problems = await schemaProblems(milvus, spec);
  const live = await liveIndexes(milvus, name);
  const missingIndexes = spec.indexes.filter((index) => !live.has(index.field_name)).map((index) => index.field_name);
  for (const index of spec.indexes) {
    const found = live.get(index.field_name);
    if (found && index.metric_type && found.metric_type !== index.metric_type) problems.push(metricProblem(index.field_name, found.metric_type, index.metric_type));
  }
  return { collection: name, state: problems.length > 0 ? 'drifted' : 'present', problems, missingIndexes };
}

/** How the live collection's fields and functions differ from the spec's. */
export async function schemaProblems(milvus: MilvusConnection, spec: MilvusCollectionSpec): Promise<string[]> {
  const name = spec.collection_name;
  const described = await milvus.call(`describe collection "${name}"`, (client) => client.describeCollection({ collection_name: name }), name);
  const fields = (described.schema.fields as LiveField[]).filter((field) => !field.name.startsWith('$'));
  return [...fieldProblems(fields, spec.fields), ...functionProblems((described.schema.functions ?? []) as LiveFunction[], spec.functions ?? [])];
}

function fieldProblems(liveFields: LiveField[], expected: readonly MilvusFieldSpec[]): string[] {
  const live = new Map(liveFields.map((field) => [field.name, field]));
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
      ...analyzerDifferences(param, field),
    ].filter(Boolean);
    if (differences.length > 0) problems.push(`field "${field.name}": ${differences.join(', ')}`);
  }
  for (const extra of live.keys()) problems.push(`field "${extra}" is not in the schema`);
  return problems;
}

/** Each indexed field's index parameters (`metric_type`, …); none when the collection has no index yet. */
export async function liveIndexes(milvus: MilvusConnection, name: string): Promise<Map<string, Record<string, string | number>>> {
  const described = await milvus
    .call(`index collection "${name}"`, (client) => client.describeIndex({ collection_name: name }), name)
    .catch((error: unknown) => (error instanceof PolystoreError && /no index|index not (exist|found)/i.test(error.message) ? { index_descriptions: [] } : Promise.reject(error)));
  return new Map(described.index_descriptions.map((index) => [index.field_name, Object.fromEntries(index.params.map((p) => [p.key, p.value]))]));
}

export const metricProblem = (field: string, live: string | number | undefined, expected: string) => `the index on "${field}" measures ${live}, the schema says ${expected}`;

export function mismatch(name: string, problems: string[]): PolystoreError {
  return new PolystoreError(
    'SCHEMA_MISMATCH',
    `Milvus collection "${name}" does not match the schema: ${problems.join('; ')}. Migrate it (polystore vectors copy into a new collection) or drop it; polystore will not use it as it is.`,
  );
}
