/**
 * A change of embedding model on the native server, as a user runs it: a 64-dimension model's 20,000 records
 * re-embedded with a 96-dimension one by the CLI, killed (SIGKILL) midway and resumed, while four writers
 * insert, update, upsert and delete; then cutover, rollback and finalize.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { polystore } from './helpers/cli.js';
import { hashedEmbedder, hashedEmbedding } from './helpers/embedders.js';
import type { EmbeddingFacade } from './helpers/embedding-project.js';
import { serverUrl } from './helpers/engines.js';
import { modelChangeOnServer } from './helpers/model-change-server.js';

const N = 20_000;
const A = { model: 'hash-a', dimension: 64 };
const B = { model: 'hash-b', dimension: 96 };
const config = `import { hashedEmbedder } from '../../helpers/embedders.ts';
const b = hashedEmbedder(96, 'b');
const delay = Number(process.env.REEMBED_DELAY_MS ?? 0);
export default {
  schema: './schema.ts',
  out: '.',
  embedders: { chunks: { embed: async (texts: string[]) => { await new Promise((r) => setTimeout(r, delay)); return b(texts); }, concurrency: 2 } },
};
`;
const text = (i: number, rev: number) => `chunk ${i} revision ${rev} about topic ${i % 97} and word${i % 13}`;
const f32 = (vector: number[]) => vector.map((x) => Math.fround(x));

describe.runIf(serverUrl)('a change of embedding model while writers write: PostgreSQL server', () => {
  const change = modelChangeOnServer({ ...A, config }, { ...B, config });
  const { facades, cli, cliBeside } = change;
  const open = facades.open;

  it('fills the new model beside the live one, resumes after SIGKILL, and cuts over with every record current', async () => {
    const { database, sql, v1, v2 } = change;
    const old = await open(v1, hashedEmbedder(A.dimension, 'a'));
    await old.migrate();
    const truth = new Map<string, { team: string; content: string }>();
    for (let start = 0; start < N; start += 1_000) {
      const team = `team${start % 3}`;
      const records = Array.from({ length: 1_000 }, (_, k) => ({ id: `c${String(start + k).padStart(6, '0')}`, content: text(start + k, 0), rev: 0 }));
      await old.vectors.chunks.forTenant(team).insert(records);
      for (const record of records) truth.set(record.id, { team, content: record.content });
    }

    // The schema of the new model: its migration adds the column; the old code keeps working meanwhile.
    const both = { 'hash-a': hashedEmbedder(A.dimension, 'a'), 'hash-b': hashedEmbedder(B.dimension, 'b') };
    const admin = await open(v2, both);
    await admin.migrate();
    expect((await admin.migrationStatus()).embeddings?.[0]).toMatchObject({ state: 'changing', active: 'hash-a' });
    const migrateStatus = polystore(['migrate', 'status'], { cwd: v2, env: { POLYSTORE_POSTGRES_URL: database.url } });
    expect(migrateStatus.status, migrateStatus.stderr).toBe(0);
    expect(migrateStatus.stdout).toContain('embedding changing chunks: reads "hash-a", the schema\'s "hash-b" not re-embedded yet: polystore vectors reembed chunks fills it');
    expect(migrateStatus.stdout).toContain('a change of embedding model is under way (chunks).');
    expect(cli(['--finalize']).stderr).toMatch(/EMBEDDING_NOT_CUT_OVER|only after --cutover/);
    const early = cli(['--cutover']);
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/20000 of 20000 records have no vector of "hash-b"/);
    const dry = cli(['--dry-run']);
    expect(dry.stdout).toMatch(/20000 of 20000 records to embed with "hash-b", in about \d+ embedder calls/);

    // Four writers: two with both models' embedders, two with the old model's only (their writes are left to fill).
    const writers = await Promise.all([both, both, { 'hash-a': both['hash-a'] }, { 'hash-a': both['hash-a'] }].map((embedders) => open(v2, embedders)));
    let writing = true;
    const failures: unknown[] = [];
    const write = async (w: number, db: EmbeddingFacade) => {
      for (let n = 0; writing; n++) {
        const team = `team${n % 3}`;
        const store = db.vectors.chunks.forTenant(team);
        const owned = [...truth].filter(([id, value]) => id.endsWith(String(w)) && value.team === team);
        const pick = owned[(n * 7919) % Math.max(1, owned.length)];
        try {
          if (n % 4 === 0 || !pick) {
            const id = `w${w}-${n}`;
            await store.insert([{ id, content: text(N + n * 4 + w, 1), rev: 1 }]);
            truth.set(id, { team, content: text(N + n * 4 + w, 1) });
          } else if (n % 4 === 1) {
            const content = text(n, 2 + w);
            await store.update(pick[0], { content, rev: 2 });
            truth.set(pick[0], { team, content });
          } else if (n % 4 === 2) {
            const content = text(n, 9 + w);
            await store.upsert([{ id: pick[0], content, rev: 3 }]);
            truth.set(pick[0], { team, content });
          } else {
            await store.delete({ ids: [pick[0]] });
            truth.delete(pick[0]);
          }
        } catch (error) {
          failures.push(error);
        }
      }
    };
    let searches = 0;
    const search = async () => {
      while (writing) {
        const hits = await admin.vectors.chunks.forTenant('team1').search({ query: 'topic 5 word3', topK: 5, includeVector: true });
        expect(hits.length).toBe(5);
        for (const hit of hits) expect(hit.record.embedding).toHaveLength(A.dimension);
        searches += 1;
      }
    };
    const load = Promise.all([...writers.map((db, w) => write(w, db)), search()]);

    // Killed midway: the progress is in the database, and the next run takes it up.
    const killed = cliBeside(['--batch', '200'], { REEMBED_DELAY_MS: '15' });
    for (;;) {
      const [row] = await sql`select (reembed->>'done')::int as done from polystore.embeddings where collection = 'chunks'`;
      if ((row?.done ?? 0) >= 4_000) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    killed.child.kill('SIGKILL');
    expect((await killed).status).toBe(null);
    const [{ filled }] = await sql`select count(*)::int as filled from chunks where embedding_2 is not null`;
    expect(filled).toBeGreaterThan(3_000);
    expect(filled).toBeLessThan(N);
    // What is under way, and how far it got, in the health report: a change of model is no degradation.
    const health = await admin.health();
    expect(health.status).toBe('up');
    const { chunks: status } = health.stores.postgres.details.embeddings as Record<string, { state: string; reembed: { done: number; total: number; finishedAt?: string } }>;
    expect(status).toMatchObject({ state: 'changing', active: 'hash-a', model: 'hash-b' });
    expect(status.reembed.done).toBeGreaterThanOrEqual(4_000);
    expect(status.reembed.total).toBeGreaterThanOrEqual(N);
    expect(status.reembed.finishedAt).toBeUndefined();
    const resumed = await cliBeside(['--batch', '500']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resumed: \d+ had one/);

    writing = false;
    await load;
    expect(failures).toEqual([]);
    expect(searches).toBeGreaterThan(0);
    // The old-model writers' last records, filled by one more run; then the switch.
    expect(cli([]).status).toBe(0);
    const before = await admin.vectors.chunks.forTenant('team2').search({ query: 'topic 7 word1', topK: 10 });
    const cut = cli(['--cutover']);
    expect(cut.status, cut.stderr).toBe(0);

    const reader = await open(v2, both);
    const ids = [...truth.keys()];
    const byTeam = new Map<string, string[]>();
    for (const id of ids) byTeam.set(truth.get(id)!.team, [...(byTeam.get(truth.get(id)!.team) ?? []), id]);
    let stale = 0;
    let missing = 0;
    for (const [team, teamIds] of byTeam) {
      for (let start = 0; start < teamIds.length; start += 1_000) {
        const slice = teamIds.slice(start, start + 1_000);
        const records = await reader.vectors.chunks.forTenant(team).get(slice);
        missing += slice.length - records.length;
        for (const record of records) if (JSON.stringify(record.embedding) !== JSON.stringify(f32(hashedEmbedding(truth.get(record.id)!.content, B.dimension, 'b')))) stale += 1;
      }
    }
    const [{ present }] = await sql`select count(*)::int as present from chunks`;
    expect({ stale, missing, resurrected: present - truth.size }).toEqual({ stale: 0, missing: 0, resurrected: 0 });
    const after = await reader.vectors.chunks.forTenant('team2').search({ query: 'topic 7 word1', topK: 10, includeVector: true });
    expect(after[0].record.embedding).toHaveLength(B.dimension);

    // Back to the old model, whose results come back as they were; then forward, and the old column dropped.
    expect(cli(['--rollback']).status).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The old model's results again. Not toEqual: many records tie on a score, and autovacuum may have
    // repaired the HNSW graph since (the reembed's updates left dead tuples), so ties and the 10th may swap.
    const back = await reader.vectors.chunks.forTenant('team2').search({ query: 'topic 7 word1', topK: 10, includeVector: true });
    expect(back.every((hit) => hit.record.embedding?.length === A.dimension)).toBe(true);
    expect(back[0].score).toBeCloseTo(before[0].score, 9);
    expect(back.filter((hit) => before.some((was) => was.id === hit.id)).length).toBeGreaterThanOrEqual(8);
    expect(cli(['--cutover']).status).toBe(0);
    const finalized = cli(['--finalize']);
    expect(finalized.status, finalized.stderr).toBe(0);
    const columns = await sql`select column_name from information_schema.columns where table_name = 'chunks' and column_name like 'embedding%'`;
    expect(columns.map((row) => row.column_name)).toEqual(['embedding_2']);
    const oldCode = polystore(['migrate', 'status'], { cwd: v1, env: { POLYSTORE_POSTGRES_URL: database.url } });
    expect(oldCode.status).toBe(1);
    expect(oldCode.stdout).toContain('embedding mismatch chunks: the database reads "hash-b", which the schema does not declare ("hash-a")');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await reader.vectors.chunks.forTenant('team2').count()).toBe(byTeam.get('team2')!.length);
    // The project learns it: generate writes the guarded drop, which this database (dropped already) passes.
    expect(JSON.parse(readFileSync(join(v2, 'drizzle/meta/polystore_embeddings.json'), 'utf8')).chunks[0].dropped).toBe(true);
    const generated = polystore(['generate', '--no-prisma-client', '--name', 'finalize_model'], { cwd: v2 });
    expect(generated.status, generated.stderr).toBe(0);
    const migration = readFileSync(join(v2, 'drizzle/0002_finalize_model.sql'), 'utf8');
    expect(migration).toMatch(/RAISE EXCEPTION[\s\S]*DROP COLUMN IF EXISTS "embedding"/);
    expect(existsSync(join(v2, 'drizzle/down/0002_finalize_model.sql'))).toBe(true);
  }, 600_000);
});
