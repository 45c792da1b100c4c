import type { PGlite } from '@electric-sql/pglite';
import type { EmbeddersOption } from './embedder.js';

export interface PostgresServerOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Most connections the pool opens (default 10). */
  max?: number | undefined;
  /** Closes a connection idle this long, in seconds (default 30). */
  idleTimeoutSeconds?: number | undefined;
  /** Gives up connecting after this long, in seconds (default 10). */
  connectTimeoutSeconds?: number | undefined;
  /**
   * Named prepared statements (default true): each statement is parsed once per connection. Turn them off behind
   * a pooler in transaction mode that does not track them (PgBouncer before 1.21, or without `max_prepared_statements`),
   * where a connection's statements are on a server connection it may no longer have.
   */
  prepare?: boolean | undefined;
  /**
   * Hot standbys streaming from `url`, each with a pool of the settings above. Vector searches, gets and counts go
   * to them in turn (one that fails to connect is left out for 5 s, and with all out, to `url`); writes,
   * migrations and `db.sql` go to `url`. A standby lags behind: see `consistency` and `readYourWritesMs`.
   */
  replicas?: readonly string[] | undefined;
  /**
   * A read on a replica that has not answered after this long, in milliseconds (default 5,000), connecting
   * included, is given up: the replica is left out as one that refused, and the read runs on the next one or `url`.
   * Set it above the slowest read you expect, which would otherwise run twice.
   */
  replicaTimeoutMs?: number | undefined;
  /**
   * After a write through a vector store, that store's reads (a tenant's, under `forTenant`) go to `url` for this
   * long, in milliseconds (default 0), so that they see the write whatever the replication lag. In this process only.
   */
  readYourWritesMs?: number | undefined;
}

/** `createPolystore({ cache })`: off by default; `true` is the bounded in-process memory store; `{ redis }` shares one across processes. */
export interface CacheSettings {
  /** `redis://` or `rediss://` URL: entries and generations in Redis (through @keyv/redis), shared by every process using it. */
  redis?: string | undefined;
  /** How long an entry lives, in seconds (default 300): also the longest a stale answer can live when Redis missed an invalidation. */
  ttlSeconds?: number | undefined;
  /** Prefix of every key (default "polystore"): one per application sharing a Redis. */
  namespace?: string | undefined;
  /** In memory: most entries kept, least recently used evicted first (default 10,000). */
  maxEntries?: number | undefined;
  /** In memory: most bytes of entries kept (default 64 MiB). */
  maxBytes?: number | undefined;
  /** Redis: gives up on one request after this long, in milliseconds (default 50); the call goes to the database. */
  timeoutMs?: number | undefined;
}

export type CacheOptions = boolean | CacheSettings;

export type VectorBackend = 'pgvector' | 'milvus';

/**
 * Read consistency on Milvus. Strong (the default) makes every read see every write acknowledged before it
 * began, in this process or any other; Bounded and Eventually read faster but may miss writes of the last
 * seconds. Milvus's Session level needs the write timestamps that this SDK does not carry between calls.
 */
export type MilvusConsistency = 'Strong' | 'Bounded' | 'Eventually';

export interface MilvusOptions {
  /**
   * `host:port` of a Milvus server or Zilliz Cloud endpoint; or a path ending in `.db`, where polystore starts
   * Milvus Lite (`pip install milvus-lite`) through python3 on a free loopback port and stops it on close().
   */
  address: string;
  /** `user:password`, or a Zilliz Cloud API key. */
  token?: string | undefined;
  /** Created when missing (default: Milvus's "default"). */
  database?: string | undefined;
  /** Gives up on one request after this long, in milliseconds (default 30,000). */
  timeoutMs?: number | undefined;
  /** Attempts for a request that fails transiently (unavailable, rate-limited, timed out): default 4. */
  attempts?: number | undefined;
  consistency?: MilvusConsistency | undefined;
}

export interface PolystoreOptions<Collection extends string = string> {
  /** A PostgreSQL server, by URL or with pool settings. Without it, an embedded PGlite with pgvector. */
  postgres?: string | PostgresServerOptions | undefined;
  /** MongoDB for the documents; Prisma reads MONGODB_URL when absent. */
  mongodb?: { url: string } | undefined;
  /**
   * The embedded PGlite: its data directory (in memory when absent), or a
   * PGlite instance of your own (with the pgvector extension), which close() leaves open.
   */
  pglite?: { dataDir?: string | undefined; client?: PGlite | undefined } | undefined;
  /** Milvus, for the vector collections on the milvus backend. */
  milvus?: MilvusOptions | undefined;
  /** Moves vector collections to another backend than the schema's: a configuration change, not a code change. */
  vectorBackends?: Partial<Record<Collection, VectorBackend>> | undefined;
  /** Called with every statement's SQL and bound parameters. */
  logQuery?: ((sql: string, params: unknown[]) => void) | undefined;
  /**
   * Applies pending migrations before the first operation. Default: true on
   * the embedded PGlite (it starts empty), false on a server, where
   * migrations are a deployment step (`db.migrate()` or drizzle-kit).
   */
  autoMigrate?: boolean | undefined;
  /**
   * The folder of the migrations (drizzle/ as `polystore generate` wrote it: SQL, meta/, down/), absolute or from
   * the working directory. Default: drizzle/ beside the generated facade's folder — which a build that compiles
   * generated/ into another folder (tsc's outDir, a bundle) does not copy there.
   */
  migrationsFolder?: string | undefined;
  /**
   * `ensureAhead: n` runs `db.partitions.ensure({ ahead: n })` before the first operation (after automatic
   * migrations), so that rows of the coming months never land in DEFAULT. A process that runs for longer than
   * `n` months needs a restart, or `polystore partitions ensure` from a scheduler.
   */
  partitions?: { ensureAhead?: number | undefined } | undefined;
  /**
   * Caches vector searches, gets and counts (off by default). `true`: in this process's memory, bounded, least
   * recently used evicted; `{ redis: 'redis://…', ttlSeconds, namespace, timeoutMs }`: in Redis, shared by every
   * process. Writes make earlier answers unreachable; an unreachable or slow Redis is skipped, never an error.
   */
  cache?: CacheOptions | undefined;
  /**
   * The embedding models of the collections that declare one (`embedding` in the schema): what embeds a record
   * written without a vector, and `search({ query })`. A function `(texts, { signal }) => vectors`, a Vercel AI SDK
   * EmbeddingModel, or `{ embed, batchSize, concurrency, retries, requestsPerMinute, timeoutMs }`; by model id while a change
   * of model is under way.
   */
  embedders?: EmbeddersOption<Collection> | undefined;
}

/** What opening a PostgreSQL connection reads. */
export type ConnectionOptions = Pick<PolystoreOptions, 'postgres' | 'pglite' | 'logQuery'>;

/** The longest delay Node's timers take: a larger one (Infinity too) fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const POOL_DEFAULTS = { max: 10, idleTimeoutSeconds: 30, connectTimeoutSeconds: 10, replicaTimeoutMs: 5_000 } as const;

export const MILVUS_DEFAULTS = { timeoutMs: 30_000, attempts: 4, consistency: 'Strong' } as const;
