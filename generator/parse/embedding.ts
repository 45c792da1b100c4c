/**
 * A vector collection's `embedding`: the model, its dimension, the field it embeds; and the generations of vectors
 * the collection holds, from drizzle/meta/polystore_embeddings.json and the schema (a new model adds one).
 */
import type { EmbeddingDef } from '../../src/schema/define.js';
import { type EmbeddingGeneration, FIRST_VECTOR_COLUMN } from '../../src/schema/embedding-generations.js';
import type { EmbeddingIR, VectorFieldIR } from '../ir.js';
import type { Issues, Path } from './issues.js';

/** The column of a generation after the first: `embedding_<n>`, n counting every generation the collection had. */
export const GENERATION_COLUMN = /^embedding_\d+$/;

/** The dimension the collection declares, either way; both given, they must agree. */
export function declaredDimension(issues: Issues, dimension: number | undefined, embedding: EmbeddingDef | undefined, path: Path): unknown {
  if (embedding === undefined || typeof embedding !== 'object' || embedding === null) return dimension;
  if (dimension !== undefined && embedding.dimension !== undefined && dimension !== embedding.dimension) {
    issues.add('invalid_value', [...path, 'dimension'], `dimension ${dimension} differs from embedding.dimension ${embedding.dimension}: give it once, in embedding`);
  }
  return embedding.dimension ?? dimension;
}

export function parseEmbedding(
  issues: Issues,
  def: EmbeddingDef,
  target: Omit<EmbeddingGeneration, 'column' | 'model'>,
  fields: VectorFieldIR[],
  recorded: EmbeddingGeneration[] | undefined,
  path: Path,
): EmbeddingIR | undefined {
  if (typeof def !== 'object' || def === null) {
    issues.add('invalid_value', path, 'embedding must be { model, dimension, from? }');
    return undefined;
  }
  issues.unknownKeys(def, ['model', 'dimension', 'from'], path);
  if (typeof def.model !== 'string' || def.model.trim() === '' || def.model.length > 200) {
    issues.add('invalid_value', [...path, 'model'], `embedding.model must be a non-empty string of at most 200 characters, got ${JSON.stringify(def.model)}`);
    return undefined;
  }
  let from: EmbeddingIR['from'];
  if (def.from !== undefined) {
    const field = fields.find((candidate) => candidate.name === def.from);
    if (!field) issues.add('unknown_field', [...path, 'from'], `unknown field ${JSON.stringify(def.from)}`);
    else if (field.type.kind !== 'string' || field.optional) {
      issues.add('invalid_type', [...path, 'from'], `embedding.from must name a required string field (every record has text to embed), "${def.from}" is ${field.optional ? 'optional' : field.type.kind}`);
    } else from = { field: field.name, column: field.column };
  }
  const schema = { ...target, model: def.model };
  const generations = nextGenerations(schema, recorded ?? [], issues, path);
  const alive = generations.filter((generation) => !generation.dropped);
  const column = alive.find((generation) => sameEmbedding(generation, schema))?.column ?? FIRST_VECTOR_COLUMN;
  return { model: def.model, ...(from ? { from } : {}), recorded: generations, generations: alive, column };
}

const sameEmbedding = (generation: EmbeddingGeneration, target: Omit<EmbeddingGeneration, 'column'>) =>
  generation.model === target.model && generation.dimension === target.dimension && generation.storage === target.storage;

/**
 * The generations after this schema: the recorded ones, and a new one when none alive is the schema's model,
 * dimension and storage. One change at a time: a third model while two are alive is refused.
 */
function nextGenerations(target: Omit<EmbeddingGeneration, 'column'>, recorded: EmbeddingGeneration[], issues: Issues, path: Path): EmbeddingGeneration[] {
  const alive = recorded.filter((generation) => !generation.dropped);
  if (alive.some((generation) => sameEmbedding(generation, target))) return recorded;
  if (alive.length >= 2) {
    issues.add(
      'embedding_change_in_progress',
      path,
      `a change of embedding is in progress (${alive.map((generation) => `${generation.model}, ${generation.dimension} dimensions`).join(' → ')}): finish it (polystore vectors reembed --cutover, then --finalize) before changing to ${target.model}`,
    );
    return recorded;
  }
  const column = recorded.length === 0 ? FIRST_VECTOR_COLUMN : `${FIRST_VECTOR_COLUMN}_${recorded.length + 1}`;
  return [...recorded, { column, model: target.model, dimension: target.dimension, storage: target.storage }];
}
