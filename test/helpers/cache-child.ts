/**
 * A process of its own for the cross-process cache tests, on note "a" of tenant t1 with the options given:
 * `update TITLE` changes its title and prints "updated"; `read` prints the title a get answers (or "missing").
 */
import { createPolystore } from '../fixtures/runtime/generated/index.js';

const [options, action, title] = process.argv.slice(2);
const db = createPolystore(JSON.parse(options!));
try {
  const notes = db.vectors.notes.forTenant('t1');
  if (action === 'update') {
    await notes.update('a', { title: title! });
    console.log('updated');
  } else {
    const [found] = await notes.get(['a']);
    console.log(found?.title ?? 'missing');
  }
} finally {
  await db.close();
}
