import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { PolystoreOptions } from '../../src/runtime/options.js';
import { createPolystore, type Polystore } from '../fixtures/runtime/generated/index.js';

export interface Engine {
  name: string;
  backend: 'pgvector' | 'milvus';
  open(): Promise<{ db: Polystore; close(): Promise<void> }>;
}

/** The same suites run on PGlite in-process and through the `postgres` driver over a wire connection. */
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
  {
    name: 'Milvus Lite',
    backend: 'milvus',
    open: () => openMilvusLite(),
  },
];

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
