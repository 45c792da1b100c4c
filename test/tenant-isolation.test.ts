import { describe, expect, it } from 'vitest';
import type { NotesRecord } from './fixtures/runtime/generated/index.js';
import { engines, useEngine } from './helpers/engines.js';
import { note, random } from './helpers/vectors.js';

const TENANTS = ['t0', 't1', 't2', 't3'];
const OPERATIONS = 400;
type Model = Map<string, Map<string, Omit<NotesRecord, 'tenantId'>>>;

/**
 * Interleaved random operations on several tenants, checked against an in-memory model after every step:
 * no read, count, update or delete through one tenant's store ever sees or touches another tenant's rows.
 */
describe.each(engines)('tenant isolation, randomized: $name', (engine) => {
  const db = useEngine(engine);

  it('a filter is read as it was at the call: a value the caller changes afterwards, or a Date that lies about its time, reaches no other tenant', async () => {
    const [mine, theirs] = ['liar-a', 'liar-b'].map((tenant) => db().vectors.notes.forTenant(tenant));
    const at = new Date(Date.UTC(2024, 0, 1));
    await mine.insert([note('liar-a1', { meta: { n: 1 }, createdAt: at }), note('liar-a2')]);
    await theirs.insert([note('liar-b1', { meta: { n: 1 }, createdAt: at }), note('liar-b2'), note('liar-b3')]);
    /** A value that passes the checks, then says something else to whatever builds the query later. */
    const changed = () => {
      const operand: Record<string, unknown> = { n: 1 };
      return { operand, change: () => void (operand.n = Object.assign(() => 0, { toString: () => '0)) or ((true' })) };
    };
    const counted = changed();
    const counting = mine.count({ meta: { contains: counted.operand as never } });
    counted.change();
    expect(await counting).toBe(1);
    // A Date whose own getTime lies to the query's compiler (Milvus pastes the time into its expression).
    const liar = new Date(at);
    liar.getTime = () => (new Error().stack?.includes('filter-expr') ? ('0 or true' as never) : at.valueOf());
    expect(await mine.count({ createdAt: liar })).toBe(1);
    const deleted = changed();
    const deleting = mine.delete({ where: { meta: { contains: deleted.operand as never } } });
    deleted.change();
    expect(await deleting).toBe(1);
    expect(await mine.delete({ where: { createdAt: liar } })).toBe(0);
    expect(await theirs.count()).toBe(3);
  });

  it(`${OPERATIONS} interleaved operations never cross tenants`, async () => {
    const next = random(7);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const model: Model = new Map(TENANTS.map((tenant) => [tenant, new Map()]));
    // Ids are shared across tenants on purpose: the same id may exist only once, under one tenant.
    const ids = Array.from({ length: 24 }, (_, i) => `id-${i}`);
    const owner = (id: string) => TENANTS.find((tenant) => model.get(tenant)!.has(id));
    const record = (id: string) => ({
      id,
      title: `t${Math.floor(next() * 5)}`,
      rank: Math.floor(next() * 10),
      published: next() < 0.5,
      kind: pick(['memo', 'todo', 'idea'] as const),
      createdAt: new Date(Math.floor(next() * 1e12)),
      embedding: Array.from({ length: 8 }, () => next() + 0.01),
    });

    for (let step = 0; step < OPERATIONS; step++) {
      const tenant = pick(TENANTS);
      const store = db().vectors.notes.forTenant(tenant);
      const mine = model.get(tenant)!;
      const id = pick(ids);
      const context = `step ${step}: ${tenant} on ${id}`;
      switch (pick(['insert', 'upsert', 'update', 'delete', 'deleteWhere'] as const)) {
        case 'insert': {
          const row = record(id);
          const result = await store.insert([row]).then(() => 'ok', (e: { code: string }) => e.code);
          expect(result, context).toBe(owner(id) ? 'DUPLICATE_ID' : 'ok');
          if (result === 'ok') mine.set(id, row);
          break;
        }
        case 'upsert': {
          const row = record(id);
          const taken = owner(id) !== undefined && owner(id) !== tenant;
          const result = await store.upsert([row]).then(() => 'ok', (e: { code: string }) => e.code);
          expect(result, context).toBe(taken ? 'ID_CONFLICT' : 'ok');
          if (!taken) mine.set(id, row);
          break;
        }
        case 'update': {
          const rank = Math.floor(next() * 10);
          const result = await store.update(id, { rank }).then(() => 'ok', (e: { code: string }) => e.code);
          expect(result, context).toBe(mine.has(id) ? 'ok' : 'NOT_FOUND');
          if (mine.has(id)) mine.get(id)!.rank = rank;
          break;
        }
        case 'delete': {
          expect(await store.delete({ ids: [id] }), context).toBe(mine.delete(id) ? 1 : 0);
          break;
        }
        case 'deleteWhere': {
          const rank = Math.floor(next() * 10);
          const doomed = [...mine.values()].filter((row) => row.rank === rank).map((row) => row.id);
          expect(await store.delete({ where: { rank } }), context).toBe(doomed.length);
          doomed.forEach((doomedId) => mine.delete(doomedId));
          break;
        }
      }
      // After every step, every tenant sees exactly its own rows, through every read path.
      for (const [name, rows] of model) {
        const view = db().vectors.notes.forTenant(name);
        expect(await view.count(), `${context}: count of ${name}`).toBe(rows.size);
        expect((await view.get(ids)).map((row) => row.id).sort(), `${context}: get of ${name}`).toEqual([...rows.keys()].sort());
        const hits = await view.search({ vector: Array(8).fill(1), topK: ids.length });
        expect(hits.map((hit) => hit.id).sort(), `${context}: search of ${name}`).toEqual([...rows.keys()].sort());
        expect(hits.every((hit) => hit.record.tenantId === name)).toBe(true);
      }
    }
  }, 600_000);
});
