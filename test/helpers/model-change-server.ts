/**
 * A suite of a change of embedding model on the native server: a database of its own and the two projects (the
 * old model's, `v1`, and the new one's, `v2`), made in beforeAll and dropped after; the facades opened on it, and
 * `polystore vectors reembed` of `v2` run against it. Call it inside the suite's `describe`.
 */
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { polystore, polystoreAsync } from './cli.js';
import { changedProject, embeddingProject, facadesOn, type ModelChoice } from './embedding-project.js';
import { serverDatabase, serverUrl } from './engines.js';

export function modelChangeOnServer(from: ModelChoice, to: ModelChoice) {
  // Filled by beforeAll: a test reads them once it runs.
  const suite = { database: undefined as unknown as { url: string; drop(): Promise<void> }, sql: undefined as unknown as postgres.Sql, v1: '', v2: '' };
  const env = (more: Record<string, string> = {}) => ({ POLYSTORE_POSTGRES_URL: suite.database.url, ...more });
  const facades = facadesOn(() => ({ postgres: { url: suite.database.url, max: 3 } }));
  beforeAll(async () => {
    suite.database = await serverDatabase(serverUrl!);
    suite.sql = postgres(suite.database.url, { max: 1, onnotice: () => {} });
    suite.v1 = embeddingProject(from);
    suite.v2 = changedProject(suite.v1, to);
  }, 120_000);
  afterAll(async () => {
    await facades.closeAll();
    await suite.sql?.end();
    await suite.database?.drop();
  });
  return Object.assign(suite, {
    facades,
    env,
    /** `vectors reembed chunks` of the new project, blocking this process. */
    cli: (args: string[]) => polystore(['vectors', 'reembed', 'chunks', ...args], { cwd: suite.v2, env: env() }),
    /** The same beside the test's own writers: a synchronous child would stop them mid-transaction, holding their row locks. */
    cliBeside: (args: string[], more: Record<string, string> = {}) => polystoreAsync(['vectors', 'reembed', 'chunks', ...args], { cwd: suite.v2, env: env(more) }),
  });
}
