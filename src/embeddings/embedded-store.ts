/**
 * A layer below the checks, of one generation of a collection's embeddings: what comes as text is embedded here.
 * A record without a vector gets its generation's from its `from` text, a search's `query` its vector; and while a
 * change of model is under way, every record whose text is written gets the other generation's vector too (none,
 * to be re-embedded, without that model's embedder), in the same write, under the record's version.
 */
import type { EmbedderRunner } from './embedder-runner.js';
import type { BackendStore, GenerationWrite } from '../runtime/contract/backend-store.js';
import type { WriteCancel } from '../runtime/contract/write-cancel.js';
import type { SearchFor, VectorRecordBase } from '../runtime/contract/vector-store.js';

export interface EmbeddedGeneration {
  /** The `from` field's name. */
  from: string | undefined;
  /** The embedder of this generation's model, if given. */
  embedder: EmbedderRunner | undefined;
  /** The other generation while a change is under way, and its model's embedder if given. */
  other: { column: string; embedder: EmbedderRunner | undefined } | undefined;
  /** The version of the record this store was made under, at the time of the call. */
  version: () => number;
}

type Row = Record<string, unknown>;

export function embeddedStore<T extends VectorRecordBase, W>(store: BackendStore<T, W>, generation: EmbeddedGeneration): BackendStore<T, W> {
  const { from, embedder, other } = generation;

  /** The vectors of `rows`' text by id, for the rows `wanted` picks; `path` names each for the errors. */
  async function vectorsOf(runner: EmbedderRunner, operation: string, rows: readonly Row[], path: (i: number) => Array<string | number>, signal: AbortSignal | undefined): Promise<Map<string, number[]>> {
    const texts = rows.map((row) => row[from!] as string);
    const vectors = await runner.embed(operation, texts, rows.map((_, i) => path(i)), signal);
    return new Map(rows.map((row, i) => [row.id as string, vectors[i]]));
  }

  /** The other generation's vectors of the rows whose text is written: all at once with this one's, before anything is sent. */
  async function otherWrite(operation: string, rows: readonly Row[], path: (i: number) => Array<string | number>, signal: AbortSignal | undefined): Promise<GenerationWrite> {
    const version = generation.version();
    if (!other || from === undefined || rows.length === 0) return { version };
    const vectors: Map<string, readonly number[] | null> = other.embedder
      ? await vectorsOf(other.embedder, operation, rows, path, signal)
      : new Map(rows.map((row) => [row.id as string, null]));
    return { version, other: { column: other.column, vectors } };
  }

  // The records' generation is made here: what comes from above has none.
  const write = (operation: 'insert' | 'upsert') => async (records: ReadonlyArray<Row>, _generation?: GenerationWrite, cancel?: WriteCancel) => {
    const signal = cancel?.signal;
    const bare = records.map((record, i) => [record, i] as const).filter(([record]) => record.embedding === undefined);
    const [own, also] = await Promise.all([
      bare.length > 0 && embedder ? vectorsOf(embedder, operation, bare.map(([record]) => record), (i) => ['records', bare[i][1], from!], signal) : undefined,
      otherWrite(operation, records, (i) => ['records', i, from!], signal),
    ]);
    const rows = own ? records.map((record) => (record.embedding === undefined ? { ...record, embedding: own.get(record.id as string) } : record)) : records;
    await store[operation](rows, also, cancel);
  };

  return {
    ...store,
    insert: write('insert'),
    upsert: write('upsert'),

    async update(id, changes, filter, _generation, cancel) {
      // New text without a new vector: this generation's is made again too, where it can be.
      const text = from !== undefined && typeof changes[from] === 'string' ? [{ id, [from]: changes[from] }] : [];
      const [own, also] = await Promise.all([
        text.length > 0 && changes.embedding === undefined && embedder ? vectorsOf(embedder, 'update', text, () => ['changes', from!], cancel?.signal) : undefined,
        otherWrite('update', text, () => ['changes', from!], cancel?.signal),
      ]);
      await store.update(id, own ? { ...changes, embedding: own.get(id) } : changes, filter, also, cancel);
    },

    async search(query, filter) {
      const text = (query as { query?: string }).query;
      if (text === undefined || !embedder) return store.search(query, filter);
      const { query: _text, ...rest } = query as typeof query & { query: string };
      const [vector] = await embedder.embed('search', [text], [['query']], query.signal);
      return store.search({ ...rest, vector } as SearchFor<W, true>, filter);
    },
  };
}
