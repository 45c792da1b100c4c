import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { createPolystore, type Polystore } from '../fixtures/runtime/generated/index.js';
import type { PolystoreOptions } from '../../src/runtime/contract/options.js';

export interface Engine {
  name: string;
  backend: 'pgvector' | 'milvus';
  open(): Promise<{ db: Polystore; close(): Promise<void> }>;
}

/** The native PostgreSQL + pgvector server (scripts/pgvector-server.sh); CI must have it, so there it is never skipped. */
export const serverUrl = process.env.POLYSTORE_TEST_PGVECTOR_URL;
if (!serverUrl && process.env.CI) throw new Error('CI runs every suite on the native server: set POLYSTORE_TEST_PGVECTOR_URL (.ci/run starts it)');
let databases = 0;

/**
 * The same suites run on PGlite in-process, through the `postgres` driver over a wire connection to PGlite, on
 * the native server (each suite in a database of its own) and on Milvus Lite.
 */
export const engines: Engine[] = [
  {
    name: 'PGlite in-process',
    backend: 'pgvector',
    async open() {
      const db = createPolystore();
      return { db, close: () => db.close() };
    },
  },
  {
    name: 'postgres driver over pglite-socket',
    backend: 'pgvector',
    async open() {
      const pglite = new PGlite({ extensions: { vector } });
      const server = new PGLiteSocketServer({ db: pglite, port: 0 });
      await server.start();
      // PGlite is one connection: the pool keeps one too, so that transactions do not interleave in its multiplexer.
      const options: PolystoreOptions = { postgres: { url: `postgres://postgres@${server.getServerConn()}/postgres`, max: 1 } };
      const db = createPolystore(options);
      await db.migrate();
      return {
        db,
        async close() {
          await db.close();
          await server.stop();
          await pglite.close();
        },
      };
    },
  },
  ...(serverUrl ? [{ name: 'PostgreSQL 18 server (native pgvector)', backend: 'pgvector' as const, open: () => openServerDatabase(serverUrl) }] : []),
  {
    name: 'Milvus Lite',
    backend: 'milvus',
    open: () => openMilvusLite(),
  },
];

/** A new, empty database on the native server; `drop` removes it, whoever is still connected. */
export async function serverDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const name = `polystore_test_${process.pid}_${++databases}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.href,
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** A database of its own on the native server, migrated; dropped on close. */
async function openServerDatabase(url: string): Promise<{ db: Polystore; close(): Promise<void> }> {
  const database = await serverDatabase(url);
  const db = createPolystore({ postgres: { url: database.url, max: 4 } });
  await db.migrate();
  return {
    db,
    async close() {
      await db.close();
      await database.drop();
    },
  };
}

/** Opens the engine before a suite's tests and closes it after them; the returned function gives its facade. */
export function useEngine(engine: Engine): () => Polystore {
  let opened: { db: Polystore; close(): Promise<void> } | undefined;
  beforeAll(async () => {
    opened = await engine.open();
  });
  afterAll(() => opened?.close());
  return () => opened!.db;
}

export const ALL_ON_MILVUS = { notes: 'milvus', passages: 'milvus', points: 'milvus', exactcos: 'milvus', exactl2: 'milvus', exact: 'milvus', wide: 'milvus' } as const;

/** Every collection of the fixture on a fresh Milvus Lite, which polystore starts from a `.db` path. */
export async function openMilvusLite(options: PolystoreOptions = {}): Promise<{ db: Polystore; close(): Promise<void>; dataDir: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'polystore-milvus-'));
  const dataDir = path.join(dir, 'milvus.db');
  const db = createPolystore({
    milvus: { address: dataDir },
    vectorBackends: ALL_ON_MILVUS,
    ...options,
  });
  return {
    db,
    dataDir,
    async close() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
