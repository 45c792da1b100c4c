/**
 * One embedder, run as a model's limits ask: texts in batches of its per-call limit, a bounded number of calls at
 * once, 429s and 5xx retried with backoff, an optional rate limit; every vector returned checked as a written one
 * is, against the generation it is for. A call fails whole: the first failed batch aborts the others.
 */
import pLimit from 'p-limit';
import pRetry, { AbortError } from 'p-retry';
import pThrottle from 'p-throttle';
import { EmbeddingError, type InputIssue, messageOf, PolystoreError } from '../errors.js';
import { type Embedder, type EmbedderSettings, type EmbedFunction, isEmbedder } from '../runtime/contract/embedder.js';
import type { VectorCollectionDescriptor } from '../runtime/contract/vector-store.js';
import { checkVector, InputIssues } from '../runtime/checks/validate.js';

const DEFAULT_BATCH = 100;
export const MAX_BATCH = 2_048;
const DEFAULT_CONCURRENCY = 4;
const DEFAULT_RETRIES = 4;
const DEFAULT_TIMEOUT_MS = 60_000;

/** A model's own limit on texts per call: a whole number from 1, or none (undefined, Infinity). */
function perCallLimit(model: string, value: unknown): number | undefined {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw new PolystoreError('INVALID_OPTION', `the embedder of ${JSON.stringify(model)}: its maxEmbeddingsPerCall is ${messageOf(value)}; expected a whole number from 1`);
}

/** `promise`, or the signal's reason once it aborts: an embedder that ignores its signal holds nothing up. */
const untilAborted = <T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(promise).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });

type Path = Array<string | number>;

export interface EmbedderRunner {
  model: string;
  /** The vectors of `texts`, each checked; `paths` say where each text came from, for the errors. */
  embed(operation: string, texts: readonly string[], paths: readonly Path[], signal?: AbortSignal): Promise<number[][]>;
  /** Texts per call, for a dry run's estimate. */
  batchSize(): Promise<number>;
}

/** A failure worth another try: 429, 5xx, or an error that says so (the AI SDK's `isRetryable`). */
function retryable(error: unknown): boolean {
  const fields = error as { statusCode?: unknown; status?: unknown; isRetryable?: unknown; response?: { status?: unknown } } | null;
  if (typeof fields !== 'object' || fields === null) return false;
  if (fields.isRetryable === true) return true;
  const status = Number(fields.statusCode ?? fields.status ?? fields.response?.status);
  return status === 429 || (status >= 500 && status < 600);
}

/** `vectors` is for the generation `target` (dimension, storage and metric as its checks need). */
export function embedderRunner(embedder: Embedder, model: string, target: Pick<VectorCollectionDescriptor, 'name' | 'dimension' | 'storage' | 'metric'>): EmbedderRunner {
  const settings: EmbedderSettings = typeof embedder === 'object' && 'embed' in embedder ? embedder : { embed: embedder };
  const { embed } = settings;
  const call: EmbedFunction =
    typeof embed === 'function'
      ? embed
      : async (texts, { signal }) => (await embed.doEmbed({ values: texts, abortSignal: signal })).embeddings;
  // Read at the first call (a model may answer them asynchronously, or fail to).
  let limits: Promise<{ batch: number; limit: ReturnType<typeof pLimit> }> | undefined;
  const limitsOf = () =>
    (limits ??= (async () => {
      const perCall = typeof embed === 'function' ? undefined : perCallLimit(model, await embed.maxEmbeddingsPerCall);
      const parallel = typeof embed === 'function' ? true : ((await embed.supportsParallelCalls) ?? true) !== false;
      return {
        batch: Math.min(settings.batchSize ?? perCall ?? DEFAULT_BATCH, perCall ?? MAX_BATCH, MAX_BATCH),
        limit: pLimit(parallel ? (settings.concurrency ?? DEFAULT_CONCURRENCY) : 1),
      };
    })().catch((error: unknown) => {
      limits = undefined;
      throw error instanceof PolystoreError ? error : new PolystoreError('INVALID_OPTION', `the embedder of ${JSON.stringify(model)}: reading its limits failed: ${messageOf(error)}`, { cause: error });
    }));
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const throttled = settings.requestsPerMinute === undefined ? call : pThrottle({ limit: settings.requestsPerMinute, interval: 60_000 })(call);

  async function batch(operation: string, texts: string[], paths: readonly Path[], signal: AbortSignal): Promise<number[][]> {
    const vectors = await pRetry(
      async () => {
        // Each attempt bounded by the timeout, and given up at once when the call is aborted.
        const attempt = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
        try {
          return await untilAborted(throttled(texts, { signal: attempt }), attempt);
        } catch (error) {
          const timedOut = attempt.aborted && !signal.aborted;
          if (timedOut) throw new Error(`no answer within ${timeoutMs} ms`);
          throw retryable(error) && !signal.aborted ? error : new AbortError(error instanceof Error ? error : new Error(messageOf(error)));
        }
      },
      { retries: settings.retries ?? DEFAULT_RETRIES, minTimeout: 200, maxTimeout: 10_000, signal },
    ).catch((error: unknown) => {
      // Aborted: by the caller (its reason, ABORTED), or by a failed sibling batch (the call reports that one).
      if (signal.aborted) throw signal.reason;
      const issue: InputIssue = { code: 'EMBEDDER_ERROR', path: paths.length === 1 ? paths[0] : [], message: `the call for ${texts.length} text(s) failed: ${messageOf(error)}` };
      throw new EmbeddingError(operation, model, [issue], { cause: error });
    });
    const issues = new InputIssues();
    if (!Array.isArray(vectors) || vectors.length !== texts.length) {
      const count = Array.isArray(vectors) ? `${vectors.length} vectors` : typeof vectors;
      issues.add('EMBEDDER_RESULT', paths.length === 1 ? paths[0] : [], `returned ${count} for ${texts.length} text(s)`);
    } else vectors.forEach((vector, i) => checkVector(issues, vector, target as VectorCollectionDescriptor, paths[i]));
    if (issues.issues.length > 0) throw new EmbeddingError(operation, model, issues.issues);
    return vectors.map((vector: ArrayLike<number>) => Array.from(vector));
  }

  return {
    model,
    batchSize: async () => (await limitsOf()).batch,
    async embed(operation, texts, paths, signal) {
      if (texts.length === 0) return [];
      const { batch: size, limit } = await limitsOf();
      // The first failure stops the batches not yet sent: the call fails whole anyway.
      const stop = new AbortController();
      const onAbort = () => stop.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const batches: Array<Promise<number[][]>> = [];
        for (let start = 0; start < texts.length; start += size) {
          const slice = [texts.slice(start, start + size), paths.slice(start, start + size)] as const;
          batches.push(
            limit(() => (stop.signal.aborted ? Promise.reject(stop.signal.reason) : batch(operation, [...slice[0]], slice[1], stop.signal))).catch((error: unknown) => {
              stop.abort(error);
              throw error;
            }),
          );
        }
        const settled = await Promise.allSettled(batches);
        const failed = settled.find((result) => result.status === 'rejected' && result.reason instanceof EmbeddingError) ?? settled.find((result) => result.status === 'rejected');
        if (failed) throw (failed as PromiseRejectedResult).reason;
        return settled.flatMap((result) => (result as PromiseFulfilledResult<number[][]>).value);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

/** Embedders by model id from `embedders[collection]`: one embedder is the schema's model's. */
export function embeddersByModel(option: Embedder | Record<string, Embedder> | undefined, schemaModel: string): Map<string, Embedder> {
  if (option === undefined) return new Map();
  if (isEmbedder(option)) return new Map([[schemaModel, option]]);
  return new Map(Object.entries(option));
}
