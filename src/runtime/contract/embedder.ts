/** The application's embedding models, as `createPolystore({ embedders })` and polystore.config.ts take them. */

/** A function of texts to their vectors, one per text, in order. */
export type EmbedFunction = (texts: string[], options: { signal: AbortSignal }) => Promise<ReadonlyArray<ArrayLike<number>>>;

/**
 * The Vercel AI SDK's `EmbeddingModel` as far as polystore uses it (`openai.embedding('text-embedding-3-small')`
 * is one): `ai` need not be installed.
 */
export interface EmbeddingModelLike {
  readonly maxEmbeddingsPerCall?: number | undefined | PromiseLike<number | undefined>;
  readonly supportsParallelCalls?: boolean | PromiseLike<boolean>;
  doEmbed(options: { values: string[]; abortSignal?: AbortSignal | undefined }): PromiseLike<{ embeddings: ReadonlyArray<ArrayLike<number>> }>;
}

export interface EmbedderSettings {
  embed: EmbedFunction | EmbeddingModelLike;
  /** Texts per call: default the model's `maxEmbeddingsPerCall`, else 100 (at most 2,048). */
  batchSize?: number | undefined;
  /** Calls at once: default 4, or 1 for a model that does not support parallel calls. */
  concurrency?: number | undefined;
  /** Retries of a call that failed with 429 or 5xx (or an error that says it is retryable), with exponential backoff: default 4. */
  retries?: number | undefined;
  /** At most this many calls a minute, across every call of this process through the embedder. */
  requestsPerMinute?: number | undefined;
  /** A call that has not answered after this long, in milliseconds, is aborted and retried: default 60,000. */
  timeoutMs?: number | undefined;
}

export type Embedder = EmbedFunction | EmbeddingModelLike | EmbedderSettings;

/**
 * Per vector collection: the embedder of the schema's model, or embedders by model id (while a change of model is
 * under way, the live model's too: a record written then gets both vectors).
 */
export type EmbeddersOption<C extends string = string> = Partial<Record<C, Embedder | Record<string, Embedder>>>;

export const isEmbedder = (value: unknown): value is Embedder =>
  typeof value === 'function' || (typeof value === 'object' && value !== null && ('doEmbed' in value || 'embed' in value));
