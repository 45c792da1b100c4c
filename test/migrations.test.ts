import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqlDatabase, sqlEngines } from './helpers/sql-engines.js';

// The committed drizzle/ folder, applied by drizzle-orm's own migrator to PostgreSQL 18 + pgvector (WASM and native).
describe.each(sqlEngines)('drizzle/ migrations: $name', (engine) => {
  let database: SqlDatabase;
  const client = { query: async <R>(sql: string, params?: unknown[]) => ({ rows: await database.query<R>(sql, params) }) };

  beforeAll(async () => {
    database = await engine.open();
    await database.migrate('drizzle');
  });
  afterAll(() => database.close());

  const indexdef = async (name: string) =>
    (await client.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE indexname = $1', [name])).rows[0]?.indexdef;

  it('creates the pgvector extension and the embeddings table with its vector column', async () => {
    const ext = await client.query<{ extversion: string }>("SELECT extversion FROM pg_extension WHERE extname = 'vector'");
    expect(ext.rows[0].extversion).toMatch(/^0\.8\./);
    const type = await client.query<{ t: string }>("SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'embeddings'::regclass AND attname = 'embedding'");
    expect(type.rows[0].t).toBe('vector(1536)');
  });

  it('creates the HNSW, GIN, full-text, partial and btree indexes of embeddings', async () => {
    expect(await indexdef('embeddings_embedding_hnsw')).toBe(
      'CREATE INDEX embeddings_embedding_hnsw ON public.embeddings USING hnsw (embedding vector_cosine_ops) WITH (m=\'16\', ef_construction=\'64\')',
    );
    expect(await indexdef('embeddings_metadata_gin')).toBe('CREATE INDEX embeddings_metadata_gin ON public.embeddings USING gin (metadata)');
    // Keyword search: a GIN index on the generated tsvector column (migration 0001 replaced the expression index).
    expect(await indexdef('embeddings_full_text_content_english_gin')).toBe('CREATE INDEX embeddings_full_text_content_english_gin ON public.embeddings USING gin (full_text)');
    expect(await indexdef('embeddings_content_fts')).toBeUndefined();
    const [generated] = await database.query<{ expr: string }>("SELECT pg_get_expr(adbin, adrelid) AS expr FROM pg_attrdef WHERE adrelid = 'embeddings'::regclass");
    expect(generated.expr).toBe("to_tsvector('english'::regconfig, content)");
    expect(await indexdef('embeddings_chunk_id_idx')).toBe(
      'CREATE INDEX embeddings_chunk_id_idx ON public.embeddings USING btree (chunk_id) WHERE (metadata IS NOT NULL)',
    );
    expect(await indexdef('embeddings_team_id_idx')).toBe('CREATE INDEX embeddings_team_id_idx ON public.embeddings USING btree (team_id)');
  });

  it('partitions analytics by month with a DEFAULT partition, and routes rows by timestamp', async () => {
    const parts = await client.query<{ child: string; bound: string }>(
      `SELECT c.relname AS child, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'analytics'::regclass ORDER BY c.relname`,
    );
    expect(parts.rows.map((row) => row.child)).toEqual(['analytics_default', 'analytics_y2026m01', 'analytics_y2026m02', 'analytics_y2026m03']);
    expect(parts.rows[0].bound).toBe('DEFAULT');
    expect(parts.rows[1].bound).toBe("FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00')");
    const strategy = await client.query<{ partstrat: string }>("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'analytics'::regclass");
    expect(strategy.rows[0].partstrat).toBe('r');

    await client.query(
      `INSERT INTO analytics (event_type, "timestamp") VALUES ('a', '2026-02-14T10:00:00Z'), ('b', '2026-01-31T23:59:59Z'), ('c', '2031-01-01T00:00:00Z')`,
    );
    const routed = await client.query<{ event_type: string; part: string }>('SELECT event_type, tableoid::regclass::text AS part FROM analytics ORDER BY event_type');
    expect(routed.rows).toEqual([
      { event_type: 'a', part: 'analytics_y2026m02' },
      { event_type: 'b', part: 'analytics_y2026m01' },
      { event_type: 'c', part: 'analytics_default' },
    ]);
  });

  it('gives analytics its composite primary key, composite DESC indexes and BRIN', async () => {
    expect(await indexdef('analytics_pkey')).toBe('CREATE UNIQUE INDEX analytics_pkey ON ONLY public.analytics USING btree (id, "timestamp")');
    expect(await indexdef('analytics_event_type_timestamp_idx')).toBe(
      'CREATE INDEX analytics_event_type_timestamp_idx ON ONLY public.analytics USING btree (event_type, "timestamp" DESC NULLS LAST)',
    );
    expect(await indexdef('analytics_timestamp_brin')).toBe('CREATE INDEX analytics_timestamp_brin ON ONLY public.analytics USING brin ("timestamp")');
    // The primary key, three composite indexes and BRIN on the parent reach every partition.
    const inherited = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'analytics_y2026m01'");
    expect(inherited.rows[0].n).toBe(5);
  });
});
