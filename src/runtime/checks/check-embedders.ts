/** `createPolystore({ embedders })`: each a known collection's, which declares a model; each embedder callable, its settings in range. */
import { describe, type InputIssues, isPlainObject } from './validate.js';
import { isEmbedder } from '../contract/embedder.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';

type Path = Array<string | number>;
const SETTINGS = ['embed', 'batchSize', 'concurrency', 'retries', 'requestsPerMinute', 'timeoutMs'];
const RANGES: Record<string, [number, number]> = { batchSize: [1, 2_048], concurrency: [1, 64], retries: [0, 20], requestsPerMinute: [1, 1_000_000], timeoutMs: [1, 2_147_483_647] };

function checkEmbedder(issues: InputIssues, value: unknown, path: Path): void {
  if (typeof value === 'function') return;
  if (!isPlainObject(value) && (typeof value !== 'object' || value === null || !('doEmbed' in value))) {
    return issues.add('INVALID_OPTION', path, `expected a function (texts, { signal }) => vectors, an AI SDK EmbeddingModel or { embed, batchSize?, concurrency?, retries?, requestsPerMinute?, timeoutMs? }, got ${describe(value)}`);
  }
  const fields = value as Record<string, unknown>;
  if ('doEmbed' in fields) {
    if (typeof fields.doEmbed !== 'function') issues.add('INVALID_OPTION', [...path, 'doEmbed'], `expected a function, got ${describe(fields.doEmbed)}`);
    return;
  }
  for (const key of Object.keys(fields)) if (!SETTINGS.includes(key)) issues.add('INVALID_OPTION', [...path, key], `unknown option (expected ${SETTINGS.join(', ')})`);
  const embed = fields.embed as { doEmbed?: unknown } | undefined;
  if (typeof embed !== 'function' && typeof embed?.doEmbed !== 'function') issues.add('INVALID_OPTION', [...path, 'embed'], `expected a function or an AI SDK EmbeddingModel, got ${describe(embed)}`);
  for (const [key, [min, max]] of Object.entries(RANGES)) {
    const setting = fields[key];
    if (setting !== undefined && (!Number.isInteger(setting) || (setting as number) < min || (setting as number) > max)) issues.add('INVALID_OPTION', [...path, key], `${key} must be an integer from ${min} to ${max}, got ${describe(setting)}`);
  }
}

export function checkEmbedders(issues: InputIssues, embedders: unknown, descriptors: readonly VectorCollectionDescriptor[], path: Path = ['embedders']): void {
  if (embedders === undefined) return;
  if (!isPlainObject(embedders)) return issues.add('INVALID_OPTION', path, `expected an object of embedders by vector collection, got ${describe(embedders)}`);
  for (const [name, value] of Object.entries(embedders)) {
    if (value === undefined) continue;
    const descriptor = descriptors.find((candidate) => candidate.name === name);
    if (!descriptor) {
      issues.add('UNKNOWN_COLLECTION', [...path, name], `no vector collection "${name}" (have ${descriptors.map((d) => d.name).join(', ') || 'none'})`);
      continue;
    }
    const models = descriptor.embedding?.generations.map((generation) => generation.model) ?? [];
    if (!descriptor.embedding) issues.add('INVALID_OPTION', [...path, name], `"${name}" declares no embedding model: add embedding: { model, dimension, from } to it in the schema and run polystore generate`);
    else if (isEmbedder(value)) checkEmbedder(issues, value, [...path, name]);
    else if (!isPlainObject(value)) checkEmbedder(issues, value, [...path, name]);
    else {
      for (const [model, embedder] of Object.entries(value)) {
        if (!models.includes(model)) issues.add('UNKNOWN_MODEL', [...path, name, model], `"${name}" has no generation of model ${JSON.stringify(model)} (has ${models.map((m) => JSON.stringify(m)).join(', ')})`);
        else checkEmbedder(issues, embedder, [...path, name, model]);
      }
    }
  }
}
