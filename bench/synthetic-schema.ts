import { col, defineSchema, document, f, table, vectorCollection, type DocumentDef, type TableDef, type VectorCollectionDef } from '../src/index.js';

/** A schema of the size the generator is benchmarked on: documents, tables and vector collections of realistic shape. */
export function syntheticSchema(counts = { documents: 200, tables: 50, vectors: 20 }) {
  const documents: Record<string, DocumentDef> = {};
  for (let i = 0; i < counts.documents; i++) {
    documents[`Doc${i}`] = document({
      collection: `docs_${i}`,
      timestamps: true,
      fields: {
        name: f.string().unique(),
        status: f.enum(['new', 'active', 'archived']).default('new').index(),
        score: f.float().optional(),
        owner: f.ref(`Doc${(i + 1) % counts.documents}`, { relation: 'ownerDoc', inverse: `owned${i}` }).optional(),
        tags: f.array(f.string()),
        settings: f.object({ theme: f.enum(['light', 'dark']).default('light'), limits: f.object({ daily: f.int().default(10) }) }),
        items: f.array(f.object({ sku: f.string(), qty: f.int(), meta: f.json().optional() })),
      },
      indexes: [{ fields: ['status', { field: 'createdAt', order: 'desc' }] }, { text: ['name'] }],
    });
  }
  const tables: Record<string, TableDef> = {};
  for (let i = 0; i < counts.tables; i++) {
    tables[`events_${i}`] = table({
      columns: {
        id: col.bigserial(),
        kind: col.varchar(50).notNull(),
        payload: col.jsonb(),
        userId: col.varchar(64),
        at: col.timestamp().notNull().defaultNow(),
        amount: col.numeric({ precision: 12, scale: 2 }),
      },
      primaryKey: ['id', 'at'],
      partitionBy: { column: 'at', interval: 'month', from: '2026-01', count: 3 },
      indexes: [{ columns: ['kind', { column: 'at', order: 'desc' }] }, { using: 'brin', columns: ['at'] }, { using: 'gin', columns: ['payload'] }],
    });
  }
  const vectors: Record<string, VectorCollectionDef> = {};
  for (let i = 0; i < counts.vectors; i++) {
    vectors[`chunks_${i}`] = vectorCollection({
      dimension: i % 2 === 0 ? 1536 : 3072,
      metric: (['cosine', 'l2', 'ip'] as const)[i % 3],
      index: i % 4 === 3 ? { type: 'ivfflat', lists: 100 } : { type: 'hnsw', m: 16, efConstruction: 64 },
      tenant: 'teamId',
      fields: { teamId: f.string({ maxLength: 64 }), sourceId: f.string({ maxLength: 64 }).index(), content: f.string(), meta: f.json().optional(), at: f.datetime() },
      indexes: [{ using: 'fulltext', column: 'content' }],
    });
  }
  return defineSchema({ documents, tables, vectors });
}

export default syntheticSchema();
