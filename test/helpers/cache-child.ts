/** A process of its own for the cross-process cache test: updates note "a" of tenant t1 with the options given. */
import { createPolystore } from '../fixtures/runtime/generated/index.js';

const db = createPolystore(JSON.parse(process.argv[2]!));
try {
  await db.vectors.notes.forTenant('t1').update('a', { title: process.argv[3]! });
  console.log('updated');
} finally {
  await db.close();
}
