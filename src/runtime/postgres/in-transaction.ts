import type { RowCheck, Statement } from './connection.js';

/** Runs statements one after another, each one's rows seen by `check` as it comes: throwing there ends the transaction. */
export async function inTransaction(statements: Statement[], check: RowCheck | undefined, run: (statement: Statement) => Promise<unknown[][]>) {
  const results: unknown[][][] = [];
  for (const [index, statement] of statements.entries()) {
    const rows = await run(statement);
    check?.(rows, index);
    results.push(rows);
  }
  return results;
}

