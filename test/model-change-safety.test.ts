/**
 * A change of embedding model on the native server, attacked: the old code keeps working until the cutover and
 * cannot leave the new vectors stale (the database nulls them); a tenant's update of another tenant's id changes
 * nothing; `--finalize` beside writers neither deadlocks nor fails their writes.
 */
import { describe, expect, it } from 'vitest';
import { polystore } from './helpers/cli.js';
import { hashedEmbedder, hashedEmbedding } from './helpers/embedders.js';
import { serverUrl } from './helpers/engines.js';
import { modelChangeOnServer } from './helpers/model-change-server.js';

const A = { model: 'hash-a', dimension: 16 };
const B = { model: 'hash-b', dimension: 24 };
const config = `import { hashedEmbedder } from '../../helpers/embedders.ts';
export default { schema: './schema.ts', out: '.', embedders: { chunks: hashedEmbedder(24, 'b') } };
`;
const same = (stored: string, text: string) => {
  const expected = hashedEmbedding(text, B.dimension, 'b');
  return (JSON.parse(stored) as number[]).every((x, i) => Math.abs(x - expected[i]) < 1e-6);
};

describe.runIf(serverUrl)('a change of embedding model, attacked: PostgreSQL server', () => {
  const change = modelChangeOnServer({ ...A, config }, { ...B, config });
  const { facades, cliBeside: reembed } = change;
  const a = hashedEmbedder(A.dimension, 'a');
  const b = hashedEmbedder(B.dimension, 'b');

  it('keeps the old code working, its writes caught up; a tenant changes only its own; finalize beside writers', async () => {
    const { database, sql, v1, v2 } = change;
    const old = await facades.open(v1, a);
    await old.migrate();
    await old.vectors.chunks.forTenant('A').insert([{ id: 'a1', content: 'apples and pears', rev: 0 }]);
    await old.vectors.chunks.forTenant('B').insert([{ id: 'b1', content: 'secret of b', rev: 0 }]);
    const admin = await facades.open(v2, { 'hash-a': a, 'hash-b': b });
    await admin.migrate();
    // Both records get the new model's vector (a write with both embedders fills it, as a re-embed would).
    await admin.vectors.chunks.forTenant('A').update('a1', { content: 'apples and pears' });
    await admin.vectors.chunks.forTenant('B').update('b1', { content: 'secret of b' });

    // A tenant's update of another tenant's id: NOT_FOUND, and nothing of that record changed.
    const foreign = await admin.vectors.chunks.forTenant('A').update('b1', { content: 'poison from a' }).then(() => ({ code: 'none' }), (error: { code?: string }) => error);
    expect(foreign.code).toBe('NOT_FOUND');
    const [b1] = await sql`select content, embedding_2::text as vector from chunks where id = 'b1'`;
    expect(b1.content).toBe('secret of b');
    expect(same(b1.vector, 'secret of b')).toBe(true);

    // The old code, which knows only hash-a, reads and writes on; its new text leaves no stale hash-b vector.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const oldA = old.vectors.chunks.forTenant('A');
    expect(await oldA.count()).toBe(1);
    expect((await oldA.search({ query: 'apples', topK: 1 }))[0].id).toBe('a1');
    await oldA.insert([{ id: 'a2', content: 'written by the old code', rev: 0 }]);
    await oldA.update('a1', { content: 'rockets and moons' });
    await oldA.update('a2', { rev: 5 });
    const vectors = await sql`select id, embedding_2::text as vector from chunks order by id`;
    expect(vectors.map((row) => [row.id, row.vector === null])).toEqual([['a1', true], ['a2', true], ['b1', false]]);
    const cutEarly = await reembed(['--cutover']);
    expect(cutEarly.stderr).toMatch(/2 of 3 records have no vector of "hash-b"/);
    const filled = await reembed([]);
    expect(filled.status, filled.stderr).toBe(0);
    const [a1] = await sql`select embedding_2::text as vector from chunks where id = 'a1'`;
    expect(same(a1.vector, 'rockets and moons')).toBe(true);

    // Cutover, then finalize while writers with both models write: no deadlock, no failed write.
    for (let i = 0; i < 300; i++) await admin.vectors.chunks.forTenant('C').insert([{ id: `c${i}`, content: `chunk ${i}`, rev: 0 }]);
    expect((await reembed(['--cutover'])).status).toBe(0);
    let writing = true;
    const failures: unknown[] = [];
    const writers = [0, 1, 2].map(async (w) => {
      const db = await facades.open(v2, { 'hash-a': a, 'hash-b': b });
      for (let n = 0; writing; n++) {
        const id = `c${(n * 7 + w * 100) % 300}`;
        await (n % 2 ? db.vectors.chunks.forTenant('C').update(id, { content: `chunk ${id} v${n}` }) : db.vectors.chunks.forTenant('C').upsert([{ id, content: `chunk ${id} u${n}`, rev: n }])).catch((error: unknown) => failures.push(error));
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const finalized = await reembed(['--finalize']);
    writing = false;
    await Promise.all(writers);
    expect(finalized.status, finalized.stderr).toBe(0);
    // A write that met the drop is retried on the generation now recorded; none failed.
    expect(failures).toEqual([]);
    const columns = await sql`select column_name from information_schema.columns where table_name = 'chunks' and column_name like 'embedding%'`;
    expect(columns.map((row) => row.column_name)).toEqual(['embedding_2']);
    expect(await sql`select tgname from pg_trigger where tgrelid = 'chunks'::regclass and not tgisinternal`).toEqual([]);
    // The old code is now refused, naming both models.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const refused = await oldA.count().catch((error: { code?: string; message: string }) => error);
    expect(refused).toMatchObject({ code: 'EMBEDDING_MODEL_MISMATCH' });
    expect(polystore(['migrate', 'status'], { cwd: v2, env: { POLYSTORE_POSTGRES_URL: database.url } }).stdout).toContain('embedding current  chunks: "hash-b"');
  }, 180_000);
});
