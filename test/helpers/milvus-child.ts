/**
 * A process of its own for test/milvus-lifecycle.test.ts (run with `node --import tsx`). It prints `ready`, then
 * for each line on stdin (so that several processes start together) opens a facade with the options given as
 * JSON, upserts one passage (ensuring the collection) and prints the outcome as one JSON line; then closes the
 * facade, or with `--stay` keeps it open, to be killed.
 */
import { createInterface } from 'node:readline';
import { createPolystore } from '../fixtures/runtime/generated/index.js';

const [options, id, stay] = process.argv.slice(2);
// Loaded before `ready`: the processes then differ by their requests only.
await import('@zilliz/milvus2-sdk-node');
console.log('ready');
for await (const _ of createInterface({ input: process.stdin })) {
  const db = createPolystore(JSON.parse(options!));
  const outcome = await db.vectors.passages
    .upsert([{ id: id!, bucket: 1, content: id!, embedding: Array.from({ length: 128 }, (_, i) => (i % 3) + 1) }])
    .then(
      () => ({ ok: true }),
      (error: { code?: string; message: string }) => ({ ok: false, code: error.code, message: error.message }),
    );
  console.log(JSON.stringify(outcome));
  if (stay !== '--stay') await db.close();
}
