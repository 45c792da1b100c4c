import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PolystoreOptions } from '../../src/runtime/options.js';
import { createPolystore, type Polystore } from '../fixtures/runtime/generated/index.js';

export interface Engine {
  name: string;
  open(): Promise<{ db: Polystore; close(): Promise<void> }>;
}

/** The same suites run on PGlite in-process and through the `postgres` driver over a wire connection. */
export const engines: Engine[] = [
  {
    name: 'PGlite in-process',
    async open() {
      const db = createPolystore();
      return { db, close: () => db.close() };
    },
  },
  {
    name: 'postgres driver over pglite-socket',
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
];
