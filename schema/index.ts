/**
 * The data model of FastGPT's database architecture (shared/reference), in
 * polystore's DSL: documents in MongoDB, analytics in PostgreSQL partitioned
 * by month, and the embeddings collection on pgvector or Milvus.
 */
import { col, defineSchema, document, f, table, vectorCollection } from 'polystore';

const language = f.enum(['en', 'zh', 'ja']);

export default defineSchema({
  documents: {
    Team: document({
      collection: 'teams',
      timestamps: true,
      fields: {
        name: f.string(),
        avatar: f.string().optional(),
      },
    }),

    User: document({
      collection: 'users',
      timestamps: true,
      fields: {
        username: f.string().unique(),
        email: f.string().unique(),
        passwordHash: f.string(),
        avatar: f.string().optional(),
        timezone: f.string().default('UTC'),
        language: language.default('en'),
        status: f.enum(['active', 'inactive', 'suspended']).default('active'),
        team: f.ref('Team', { relation: 'teamRef', inverse: 'members' }).optional().index(),
        roles: f.array(f.enum(['admin', 'user', 'guest'])),
        permissions: f.array(f.object({ name: f.string(), resource: f.string(), actions: f.array(f.string()) })),
        lastLoginAt: f.datetime().optional(),
        settings: f.object({
          notifications: f.object({
            email: f.boolean().default(true),
            push: f.boolean().default(true),
            inApp: f.boolean().default(true),
          }),
          privacy: f.object({
            profileVisible: f.boolean().default(true),
            activityVisible: f.boolean().default(true),
          }),
          ui: f.object({
            theme: f.enum(['light', 'dark', 'auto']).default('auto'),
            language: language.default('en'),
          }),
        }),
      },
    }),

    App: document({
      collection: 'apps',
      timestamps: true,
      fields: {
        name: f.string(),
        description: f.string().optional(),
        avatar: f.string().optional(),
        type: f.enum(['simple', 'workflow', 'plugin']).default('simple'),
        owner: f.ref('User', { relation: 'ownerRef', inverse: 'apps' }).index(),
        team: f.ref('Team', { relation: 'teamRef', inverse: 'apps' }).optional().index(),
        status: f.enum(['draft', 'published', 'archived']).default('draft').index(),
        version: f.int().default(1),
        config: f.object({
          chatConfig: f
            .object({
              model: f.string(),
              temperature: f.float().default(0.7),
              maxTokens: f.int().default(2000),
              systemPrompt: f.string().optional(),
              welcomeMessage: f.string().optional(),
            })
            .optional(),
          workflow: f
            .object({
              nodes: f.array(f.object({ id: f.string(), type: f.string(), data: f.json() })),
              edges: f.array(f.object({ source: f.string(), target: f.string(), sourceHandle: f.string().optional() })),
              version: f.string().default('1.0'),
            })
            .optional(),
          pluginConfig: f.json().optional(),
        }),
        metrics: f.object({
          totalChats: f.int().default(0),
          // Token totals and byte sizes pass 2^31: 64-bit.
          totalTokens: f.bigint().default(0),
          avgResponseTime: f.float().default(0),
          satisfaction: f.float().default(0),
        }),
        tags: f.array(f.string()),
        publishedAt: f.datetime().optional(),
      },
      indexes: [
        { fields: ['type'] },
        { fields: ['tags'] },
        { fields: [{ field: 'createdAt', order: 'desc' }] },
        { fields: ['owner', 'status', { field: 'createdAt', order: 'desc' }] },
      ],
    }),

    Dataset: document({
      collection: 'datasets',
      timestamps: true,
      fields: {
        name: f.string(),
        description: f.string().optional(),
        type: f.enum(['dataset', 'website', 'api']),
        owner: f.ref('User', { relation: 'ownerRef', inverse: 'datasets' }).index(),
        team: f.ref('Team', { relation: 'teamRef', inverse: 'datasets' }).optional().index(),
        status: f.enum(['training', 'active', 'error']).default('training').index(),
        vectorDb: f.enum(['pg', 'milvus']).index(),
        collections: f.array(
          f.object({
            name: f.string(),
            fileId: f.ref('File').optional(),
            metadata: f.json().optional(),
            status: f.enum(['pending', 'processing', 'completed', 'error']).default('pending'),
            chunkCount: f.int().default(0),
            vectorCount: f.int().default(0),
            error: f.string().optional(),
          }),
        ),
        metrics: f.object({
          documentCount: f.int().default(0),
          totalTokens: f.bigint().default(0),
          vectorCount: f.int().default(0),
          size: f.bigint().default(0),
        }),
        permissions: f.array(f.object({ subject: f.ref('User'), role: f.enum(['owner', 'editor', 'viewer']) })),
      },
      indexes: [{ fields: ['owner', 'status', 'vectorDb'] }],
    }),

    // FastGPT's dataset_datas: a chunk's text, whose vectors (one per index) live in the embeddings collection.
    DatasetData: document({
      collection: 'dataset_datas',
      timestamps: true,
      fields: {
        teamId: f.ref('Team').index(),
        datasetId: f.ref('Dataset', { relation: 'dataset', inverse: 'datas' }).index(),
        collectionId: f.string().index(),
        q: f.string(),
        a: f.string().optional(),
        chunkIndex: f.int().default(0),
        indexes: f.array(f.object({ defaultIndex: f.boolean().default(false), dataId: f.string(), text: f.string() })),
      },
      // Each index's dataId is the id of its vector: `polystore integrity check` reports the ones missing.
      vectors: { embeddings: 'indexes.dataId' },
    }),

    Chat: document({
      collection: 'chats',
      timestamps: true,
      fields: {
        appId: f.ref('App', { relation: 'app', inverse: 'chats' }).index(),
        userId: f.ref('User', { relation: 'user', inverse: 'chats' }).index(),
        sessionId: f.string().index(),
        title: f.string().optional(),
        status: f.enum(['active', 'completed']).default('active'),
        messages: f.array(
          f.object({
            id: f.string(),
            role: f.enum(['user', 'assistant', 'system']),
            content: f.json(),
            createdAt: f.datetime().defaultNow(),
            feedback: f.object({ rating: f.int().optional(), comment: f.string().optional() }).optional(),
          }),
        ),
        variables: f.json().default({}),
        metadata: f.object({
          source: f.string(),
          userAgent: f.string().optional(),
          ip: f.string().optional(),
          location: f.string().optional(),
        }),
        feedback: f.object({ overall: f.int().optional(), comment: f.string().optional(), tags: f.array(f.string()) }).optional(),
      },
      indexes: [{ fields: [{ field: 'createdAt', order: 'desc' }] }, { fields: ['appId', 'userId', 'sessionId'] }],
    }),

    File: document({
      collection: 'files',
      timestamps: true,
      fields: {
        filename: f.string(),
        originalName: f.string(),
        mimeType: f.string(),
        size: f.bigint(),
        path: f.string(),
        storageType: f.enum(['local', 's3', 'minio']),
        status: f.enum(['uploading', 'processing', 'completed', 'error']).default('uploading').index(),
        metadata: f.object({
          extractedText: f.string().optional(),
          pageCount: f.int().optional(),
          imageCount: f.int().optional(),
          tableCount: f.int().optional(),
          languages: f.array(f.string()),
        }),
        processing: f.object({
          step: f.enum(['pending', 'ocr', 'extraction', 'chunking', 'embedding', 'completed']).default('pending'),
          progress: f.float().default(0),
          error: f.string().optional(),
        }),
        uploadedBy: f.ref('User', { relation: 'uploader', inverse: 'files' }).index(),
        team: f.ref('Team', { relation: 'teamRef', inverse: 'files' }).optional().index(),
      },
      indexes: [{ fields: [{ field: 'createdAt', order: 'desc' }] }, { text: ['originalName', 'metadata.extractedText'] }],
    }),
  },

  tables: {
    analytics: table({
      columns: {
        id: col.bigserial(),
        eventType: col.varchar(50).notNull(),
        eventData: col.jsonb(),
        userId: col.varchar(255),
        appId: col.varchar(255),
        sessionId: col.varchar(255),
        timestamp: col.timestamp().notNull().defaultNow(),
        ipAddress: col.inet(),
        userAgent: col.text(),
      },
      // A partitioned table's primary key must include its partition key.
      primaryKey: ['id', 'timestamp'],
      partitionBy: { column: 'timestamp', interval: 'month', from: '2026-01', count: 3 },
      indexes: [
        { columns: ['eventType', { column: 'timestamp', order: 'desc' }] },
        { columns: ['userId', { column: 'timestamp', order: 'desc' }] },
        { columns: ['appId', { column: 'timestamp', order: 'desc' }] },
        { using: 'brin', columns: ['timestamp'] },
      ],
    }),
  },

  vectors: {
    embeddings: vectorCollection({
      dimension: 1536,
      metric: 'cosine',
      index: { type: 'hnsw', m: 16, efConstruction: 64 },
      tenant: 'teamId',
      backend: 'pgvector',
      fields: {
        teamId: f.string({ maxLength: 64 }),
        datasetId: f.string({ maxLength: 64 }).index(),
        collectionId: f.string({ maxLength: 64 }).index(),
        chunkId: f.string({ maxLength: 255 }),
        // The chunk's document: deleting it through db.documents() deletes its vectors (docs/integrity.md).
        dataId: f.ref('DatasetData', { tenant: 'teamId' }),
        content: f.string(),
        metadata: f.json().optional(),
        createdAt: f.datetime(),
      },
      // Keyword search over the chunks' text, alone or fused with the vector search (FastGPT's "mixed recall").
      fullText: { field: 'content', language: 'english' },
      indexes: [
        { using: 'gin', columns: ['metadata'] },
        // Partial: only chunks that carry metadata are looked up by chunk id.
        { columns: ['chunkId'], where: { column: 'metadata', isNotNull: true } },
      ],
    }),
  },
});
