/** A process of its own for the concurrent-migration test: migrates the database named on the command line. */
import { createPolystore } from '../fixtures/relational/generated/index.js';

const db = createPolystore({ postgres: { url: process.argv[2]!, max: 2 } });
try {
  await db.migrate();
  console.log('migrated');
} finally {
  await db.close();
}
