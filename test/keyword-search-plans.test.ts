// A hybrid search is one statement whose two sides use their indexes: the GIN index on the generated tsvector
// column for the keyword side, the HNSW index for the vector side (EXPLAIN, PGlite and the native server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore, type Polystore } from './fixtures/runtime/generated/index.js';
import { type SqlDatabase, sqlEngines } from './helpers/sql-engines.js';
import { random, randomVector } from './helpers/vectors.js';

const N = 10_000;
const WORDS = ['river', 'stone', 'garden', 'winter', 'market', 'engine', 'letter', 'window', 'forest', 'harbor', 'silver', 'thunder', 'meadow', 'lantern', 'copper', 'valley'];

describe.each(sqlEngines)(`hybrid search plans on ${N} chunks: $name`, (engine) => {
  let database: SqlDatabase;
  let db: Polystore;
  const statements: Array<{ sql: string; params: unknown[] }> = [];
  const next = random(3);

  beforeAll(async () => {
    database = await engine.open();
    db = createPolystore({ ...database.options, logQuery: (sql, params) => statements.push({ sql, params }) });
    // Rare words, as keyword searches look for: each in about 1% of the chunks.
    const rare = Array.from({ length: 100 }, (_, i) => `term${i}`);
    const sentence = () => [...Array.from({ length: 8 }, () => WORDS[Math.floor(next() * WORDS.length)]), rare[Math.floor(next() * rare.length)]].join(' ');
    const chunks = Array.from({ length: N }, (_, i) => ({ id: `c${i}`, source: i % 2 === 0 ? 'docs' : 'chat', content: sentence(), embedding: randomVector(next, 128) }));
    await db.migrate();
    // Loaded without the HNSW index, then the index built from its own definition: faster than growing it row by row.
    const [{ definition }] = await database.query<{ definition: string }>("SELECT pg_get_indexdef('chunks_embedding_hnsw'::regclass) AS definition");
    await database.query('DROP INDEX chunks_embedding_hnsw');
    await db.vectors.chunks.forTenant('team0').insert(chunks);
    await database.query(definition);
    // As autovacuum does after a load. Until a VACUUM, rows written since the GIN index was built wait in its
    // pending list, which the planner prices as a scan of the whole list: it then prefers any other index.
    await database.query('VACUUM ANALYZE chunks');
  }, 300_000);
  afterAll(async () => {
    await db?.close();
    await database?.close();
  });

  it('ranks the keyword side through the GIN index and the vector side through the HNSW index, in one statement', async () => {
    statements.length = 0;
    const hits = await db.vectors.chunks.forTenant('team0').search({ vector: randomVector(next, 128), text: 'term7', topK: 10 });
    expect(hits).toHaveLength(10);
    const [settings, search] = statements;
    expect(settings.sql).toContain('set_config');
    expect(statements).toHaveLength(2);
    const explain = async (statement: { sql: string; params: unknown[] }) =>
      (await database.transaction<Record<string, string>>([settings, { sql: `EXPLAIN ${statement.sql}`, params: statement.params }])).map((row) => row['QUERY PLAN']).join('\n');
    const plan = await explain(search);
    expect(plan).toMatch(/Bitmap Index Scan on chunks_full_text_content_english_gin/);
    expect(plan).toMatch(/Index Scan using chunks_embedding_hnsw on chunks/);
    // The keyword search alone takes the GIN index too.
    statements.length = 0;
    await db.vectors.chunks.forTenant('team0').search({ text: 'term7', topK: 10 });
    const keyword = statements.at(-1)!;
    expect(await explain(keyword)).toMatch(/Bitmap Index Scan on chunks_full_text_content_english_gin/);
  });
});
