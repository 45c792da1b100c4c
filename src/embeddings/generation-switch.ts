/**
 * A store of a collection with recorded embeddings: each call runs on the stack of the generation the database
 * says reads use, the record read again when a second old (writes check it in the database and fail with
 * EMBEDDING_STATE_CHANGED when it moved: they run again, on the generation now active). A schema whose model
 * is not the one recorded is refused before any read or write.
 */
import { PolystoreError } from '../errors.js';
import type { PagedStore } from '../runtime/contract/backend-store.js';
import type { EmbeddingGenerations, EmbeddingState } from '../runtime/contract/embedding-state.js';
import type { VectorCollectionDescriptor, VectorRecordBase } from '../runtime/contract/vector-store.js';
import { schemaGeneration } from '../runtime/generation-view.js';

/** How long a process goes on with the record it read, for reads (writes are checked each time). */
export const STATE_REFRESH_MS = 1_000;
const ATTEMPTS = 3;

const describeGeneration = (generation: { model: string; dimension: number; storage: string }) => `${JSON.stringify(generation.model)} (${generation.dimension} dimensions, ${generation.storage})`;

/** The recorded state, if the schema knows its active generation as it was made; else why not. */
export function checkRecorded(descriptor: VectorCollectionDescriptor, state: EmbeddingState | undefined): EmbeddingState {
  const name = descriptor.name;
  const embedding = descriptor.embedding!;
  if (!state) throw new PolystoreError('EMBEDDING_NOT_RECORDED', `"${name}": the database records no embedding model for it yet; run the migrations (polystore migrate, or db.migrate())`);
  const active = state.generations.find((generation) => generation.column === state.active);
  const known = embedding.generations.find((generation) => generation.column === state.active);
  if (!active || !known || known.model !== active.model || known.dimension !== active.dimension || known.storage !== active.storage) {
    const schema = schemaGeneration(descriptor);
    throw new PolystoreError(
      'EMBEDDING_MODEL_MISMATCH',
      `"${name}": its vectors in the database were made by ${active ? describeGeneration(active) : `an unknown model (column "${state.active}")`}, this schema's model is ${describeGeneration(schema)}: ` +
        'run the migrations of this schema, then polystore vectors reembed and --cutover (or open the facade of the schema that made them)',
    );
  }
  return state;
}

export function generationSwitch<T extends VectorRecordBase, W>(
  descriptor: VectorCollectionDescriptor,
  generations: EmbeddingGenerations,
  before: () => Promise<unknown>,
  stackOf: (active: string, other: string | undefined, version: () => number) => PagedStore<T, W>,
): PagedStore<T, W> {
  let known: { state: EmbeddingState; at: number } | undefined;
  let reading: Promise<EmbeddingState> | undefined;
  const stacks = new Map<string, PagedStore<T, W>>();

  const current = async (fresh: boolean): Promise<EmbeddingState> => {
    if (!fresh && known && performance.now() - known.at < STATE_REFRESH_MS) return known.state;
    reading ??= (async () => {
      await before();
      const state = checkRecorded(descriptor, await generations.read());
      known = { state, at: performance.now() };
      return state;
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  /**
   * The stack of the active generation, writing the other one the record holds too (none once it is dropped, nor
   * one this schema does not know: the old code's, before the cutover; the database keeps that one current).
   */
  const inSchema = (column: string) => descriptor.embedding!.generations.some((generation) => generation.column === column);
  const stackFor = (state: EmbeddingState) => {
    const other = state.generations.find((generation) => generation.column !== state.active && inSchema(generation.column))?.column;
    const key = JSON.stringify([state.active, other]);
    let stack = stacks.get(key);
    if (!stack) stacks.set(key, (stack = stackOf(state.active, other, () => known!.state.version)));
    return stack;
  };

  const on = <K extends keyof PagedStore<T, W>>(method: K) =>
    (async (...args: unknown[]) => {
      for (let attempt = 1; ; attempt++) {
        const stack = stackFor(await current(attempt > 1));
        try {
          return await (stack[method] as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (error) {
          if (!(error instanceof PolystoreError && error.code === 'EMBEDDING_STATE_CHANGED') || attempt >= ATTEMPTS) throw error;
        }
      }
    }) as PagedStore<T, W>[K];

  return { insert: on('insert'), upsert: on('upsert'), search: on('search'), get: on('get'), count: on('count'), update: on('update'), delete: on('delete'), page: on('page') };
}
