import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { engines, useEngine } from './helpers/engines.js';

// Values that break string-built SQL or Milvus expressions. PostgreSQL cannot store NUL at all: it is refused with a typed error.
const HOSTILE = [
  '" or 1==1 or "',
  '\\" or true or \\"',
  "' || id != '",
  'line\nbreak\ttab\rreturn',
  "O'Reilly",
  "'; DROP TABLE notes; --",
  '$1',
  '$$ $tag$ \\x00',
  'back\\slash\\',
  '"double" `tick`',
  'unicode ✓ 漢字 🧪 \u202e',
  "') OR 1=1 --",
  '%_* LIKE wildcards',
];

describe.each(engines)('hostile input: $name', (engine) => {
  const db = useEngine(engine);

  const notes = () => db().vectors.notes.forTenant("tenant ' \\ $1");

  it('stores and matches hostile ids, content, filter values and JSON keys verbatim, touching nothing else', async () => {
    const records = HOSTILE.map((value, i) => ({
      id: value,
      title: value,
      rank: i,
      published: true,
      kind: 'memo' as const,
      createdAt: new Date(0),
      meta: { [value]: value, nested: { [value]: [value] } },
      embedding: [1, i, 0, 0, 0, 0, 0, 1],
    }));
    await notes().insert(records);
    await db().vectors.notes.forTenant('bystander').insert([{ ...records[0], id: 'bystander-row' }]);

    for (const [i, value] of HOSTILE.entries()) {
      expect((await notes().get([value])).map((record) => record.title)).toEqual([value]);
      expect(await notes().count({ title: value })).toBe(1);
      expect(await notes().count({ id: { in: [value, "x' OR '1'='1"] } })).toBe(1);
      expect(await notes().count({ meta: { path: [value], equals: value } })).toBe(1);
      expect(await notes().count({ meta: { contains: { nested: { [value]: [value] } } } })).toBe(1);
      const hits = await notes().search({ vector: [1, i, 0, 0, 0, 0, 0, 1], topK: 1, where: { title: value } });
      expect(hits.map((hit) => hit.id)).toEqual([value]);
      expect(hits[0].record.meta).toEqual(records[i].meta);
    }
    expect(await notes().count()).toBe(HOSTILE.length);
    expect(await notes().count({ title: "' OR ''='" })).toBe(0);
    await notes().update(HOSTILE[1], { title: HOSTILE[2] });
    expect(await notes().delete({ where: { title: HOSTILE[2] } })).toBe(2);

    // The bystander tenant and the tables around are untouched.
    expect(await db().vectors.notes.forTenant('bystander').count()).toBe(1);
    expect(await db().vectors.exact.count()).toBe(0);
    if (engine.backend !== 'pgvector') return;
    const tables = await db().sql.execute(sql`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    const rows = Array.isArray(tables) ? tables : (tables as unknown as { rows: unknown[] }).rows;
    expect(rows.map((row) => (row as { tablename: string }).tablename)).toEqual([
      'chunks',
      'events',
      'events_default',
      'events_y2026m01',
      'events_y2026m02',
      'exact',
      'exactcos',
      'exactl2',
      'notes',
      'passages',
      'points',
      'wide',
    ]);
  });

  it('refuses NUL, which PostgreSQL cannot store, before sending anything (on every backend, so that data can move)', async () => {
    const before = await notes().count();
    const nul = { id: 'nul\0id', title: 't', rank: 1, published: true, kind: 'memo' as const, createdAt: new Date(0), embedding: [1, 0, 0, 0, 0, 0, 0, 0] };
    await expect(notes().insert([nul])).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(notes().insert([{ ...nul, id: 'ok', meta: { 'k\0': 1 } }])).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(notes().count({ title: 'a\0' })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    expect(await notes().count()).toBe(before);
  });
});
