import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';
import { cancelOnAbort } from './cancel-on-abort.js';

const CHUNK_BYTES = 2 ** 20;

/**
 * Streams `copy.data` into a `COPY … FROM STDIN`. postgres.js settles a COPY's stream only when the COPY
 * succeeds, and refuses other statements until the stream has sent its end (its `_final`). From then on a
 * statement queued behind the COPY settles either way: it fails when the COPY failed (the transaction is
 * aborted: the driver drops the COPY's own error) or the connection died. `signal` has the server cancel the COPY
 * while it waits for a lock, before it starts; once its data is being sent, it is sent whole (postgres.js cancels
 * nothing then), and the transaction's commit is refused instead.
 */
export async function copyInto(tx: postgres.TransactionSql, copy: { sql: string; data: Uint8Array }, signal?: AbortSignal): Promise<void> {
  const query = tx.unsafe(copy.sql);
  // The only query of its transaction's connection: no other caller's query queues behind it.
  await cancelOnAbort(tx, query, signal, async () => streamInto(tx, await query.writable(), copy.data));
}

async function streamInto(tx: postgres.TransactionSql, writable: Writable, data: Uint8Array): Promise<void> {
  const sent = new Promise<void>((resolve) => {
    const final = writable._final!;
    writable._final = (callback) => {
      final.call(writable, callback);
      resolve();
    };
  });
  // In messages of 1 MiB: PostgreSQL refuses one of 1 GiB or more, and a large call's data can pass that.
  const chunks = Array.from({ length: Math.ceil(data.length / CHUNK_BYTES) }, (_, i) => data.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
  const copied = pipeline(Readable.from(chunks), writable);
  copied.catch(() => undefined); // awaited below; a failure before the end is reported by the race
  await Promise.race([sent, copied]);
  await Promise.all([copied, tx.unsafe('SELECT 1')]);
}
