/** Each collection's embeddings as the database records them, beside the schema's: for `migrate`, `migrate status` and `db.health()`. */
import type { EmbeddingGenerations, ReembedProgress } from '../runtime/contract/embedding-state.js';
import type { VectorCollectionDescriptor } from '../runtime/contract/vector-store.js';
import { schemaGeneration } from '../runtime/generation-view.js';
import { messageOf } from '../errors.js';

export interface EmbeddingStatus {
  collection: string;
  /** The schema's model. */
  model: string;
  /** The model reads use, as recorded; absent before the first `migrate`. */
  active?: string | undefined;
  /**
   * `current`: reads use the schema's model and no other generation is left; `changing`: a change of model is under
   * way (re-embed, cutover or finalize to do); `unrecorded`: migrate has not recorded it; `mismatch`: the database
   * reads a model this schema does not know.
   */
  state: 'current' | 'changing' | 'unrecorded' | 'mismatch';
  generations: Array<{ model: string; dimension: number; storage: string; active: boolean }>;
  reembed?: Pick<ReembedProgress, 'model' | 'done' | 'total' | 'startedAt' | 'updatedAt' | 'finishedAt'> | undefined;
  error?: string | undefined;
}

export async function embeddingStatus(descriptor: VectorCollectionDescriptor, generations: EmbeddingGenerations): Promise<EmbeddingStatus> {
  const schema = schemaGeneration(descriptor);
  const base = { collection: descriptor.name, model: schema.model };
  let state;
  try {
    state = await generations.read();
  } catch (error) {
    return { ...base, state: 'unrecorded', generations: [], error: messageOf(error) };
  }
  if (!state) return { ...base, state: 'unrecorded', generations: [] };
  const active = state.generations.find((generation) => generation.column === state.active);
  const known = descriptor.embedding!.generations.some((generation) => generation.column === active?.column && generation.model === active.model && generation.dimension === active.dimension);
  const { column: _column, cursor: _cursor, ...reembed } = state.reembed ?? ({} as ReembedProgress);
  return {
    ...base,
    active: active?.model,
    state: !known ? 'mismatch' : state.active === schema.column && state.generations.length === 1 ? 'current' : 'changing',
    generations: state.generations.map((generation) => ({ model: generation.model, dimension: generation.dimension, storage: generation.storage, active: generation.column === state.active })),
    ...(state.reembed ? { reembed } : {}),
  };
}
