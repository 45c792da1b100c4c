import { describe, expect, it } from 'vitest';
import { col, defineSchema, document, f, table, vectorCollection } from '../src/index.js';
import { SchemaValidationError } from '../src/errors.js';
import { emitFiles } from '../generator/generate.js';
import { planMigration } from '../generator/migrations.js';
import { parseSchema } from '../generator/parse/index.js';
import { at, issuesOf } from './helpers/schema-issues.js';

const vectors = (overrides: Record<string, unknown> = {}) =>
  vectorCollection({ dimension: 8, metric: 'cosine', index: { type: 'hnsw' }, fields: { tag: f.string({ maxLength: 16 }) }, ...overrides });

describe('schema validation', () => {
  it('names the path of an unknown reference', () => {
    const issues = issuesOf(defineSchema({ documents: { Team: document({ fields: {} }), User: document({ fields: { team: f.ref('Tem') } }) } }));
    expect(issues.map(at)).toEqual(['documents.User.fields.team: unknown reference "Tem"']);
    expect(issues[0].code).toBe('unknown_reference');
  });

  it('checks the links of vector collections to documents, and what a document says lists its vectors', () => {
    const Passage = document({ fields: { teamId: f.ref('Team'), score: f.float(), ids: f.array(f.object({ vectorId: f.string() })) }, vectors: { pieces: 'ids.vectorId', nope: 'ids.vectorId', other: 'score', untenanted: 'ids' } });
    const issues = issuesOf(
      defineSchema({
        documents: { Team: document({ fields: {} }), Passage, User: document({ fields: { team: f.ref('Team', { tenant: 'x' }) } }) },
        vectors: {
          pieces: vectors({ tenant: 'teamId', fields: { teamId: f.string({ maxLength: 64 }), a: f.ref('Pasage'), b: f.ref('Passage', { tenant: 'score' }), c: f.ref('Passage', { tenant: 'nope' }), d: f.ref('Passage', { relation: 'r' }), writtenAt: f.datetime() } }),
          untenanted: vectors({ fields: { p: f.ref('Passage', { tenant: 'teamId' }) } }),
          other: vectors(),
        },
      }),
    );
    expect(issues.map(at).sort()).toEqual([
      'documents.Passage.vectors.nope: no vector collection "nope"',
      'documents.Passage.vectors.other: the field listing vector ids must be a string or a list of strings, "score" is float',
      'documents.Passage.vectors.untenanted: the field listing vector ids must be a string or a list of strings, "ids" is object',
      "documents.User.fields.team.tenant: tenant applies to a vector collection's link to a document, not to a document's reference",
      "vectors.pieces.fields.a: no document model \"Pasage\" to link to (have Team, Passage, User)",
      'vectors.pieces.fields.b.tenant: the tenant field must hold text or a document id, "Passage.score" is float',
      'vectors.pieces.fields.c.tenant: "Passage" has no field "nope"',
      "vectors.pieces.fields.d: relation and inverse are a document's Prisma relation; a vector collection's link takes { tenant } only",
      'vectors.pieces.fields.writtenAt: "written_at" is the time of writing of a collection linked to documents',
      "vectors.untenanted.fields.p.tenant: the collection has no tenant field to match the document's: declare tenant on the collection, or leave tenant out of the link",
    ]);
  });

  it('reports every problem at once, not only the first', () => {
    const issues = issuesOf(
      defineSchema({
        documents: { User: document({ fields: { team: f.ref('Nope'), 'bad-name': f.string() } }) },
        tables: { order: table({ columns: { id: col.serial().primaryKey() } }) },
        vectors: { chunks: vectors({ dimension: 0 }) },
      }),
    );
    expect(issues.map((issue) => issue.code).sort()).toEqual(['dimension_out_of_range', 'invalid_identifier', 'reserved_word', 'unknown_reference']);
  });

  it('rejects duplicate names: a table and a vector collection share PostgreSQL', () => {
    const issues = issuesOf(defineSchema({ tables: { chunks: table({ columns: { id: col.text().primaryKey() } }) }, vectors: { chunks: vectors() } }));
    expect(issues.map(at)).toEqual(['vectors.chunks: table "chunks" is already defined at tables.chunks']);
  });

  it('rejects duplicate SQL column names and a relation named like a field', () => {
    const issues = issuesOf(
      defineSchema({
        documents: { Team: document({ fields: {} }), User: document({ fields: { name: f.string(), team: f.ref('Team', { relation: 'name' }) } }) },
        tables: { t: table({ columns: { fooBar: col.text(), foo_bar: col.text() } }) },
      }),
    );
    expect(issues.map((issue) => issue.code)).toEqual(['duplicate_name', 'duplicate_name']);
    expect(issues.map(at)).toContain('tables.t.columns.foo_bar: column "foo_bar" is already defined at tables.t.columns.fooBar');
  });

  it('refuses field names every JavaScript object inherits from Object.prototype', () => {
    const members = Object.getOwnPropertyNames(Object.prototype);
    expect(members).toEqual(expect.arrayContaining(['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', '__defineGetter__']));
    const fields = Object.fromEntries(members.map((name) => [name, f.string()]));
    const issues = issuesOf(
      defineSchema({
        documents: { User: document({ fields: { ...fields, settings: f.object({ ['__proto__']: f.string() }) } }) },
        tables: { t: table({ columns: { id: col.text().primaryKey(), valueOf: col.text() } }) },
        vectors: { v: vectors({ fields: { toString: f.string() } }) },
      }),
    );
    const why = 'is inherited by every JavaScript object (Object.prototype): records with it would be refused or lose it at run time';
    expect(issues.map((issue) => [issue.code, at(issue)])).toEqual([
      ...members.map((name) => ['reserved_word', `documents.User.fields.${name}: "${name}" ${why}`]),
      ['reserved_word', `documents.User.fields.settings.fields.__proto__: "__proto__" ${why}`],
      ['reserved_word', `tables.t.columns.valueOf: "valueOf" ${why}`],
      ['reserved_word', `vectors.v.fields.toString: "toString" ${why}`],
    ]);
  });

  it('rejects invalid identifiers and reserved words of TypeScript, PostgreSQL and Prisma', () => {
    const issues = issuesOf(
      defineSchema({
        documents: { String: document({ fields: { class: f.string() } }) },
        tables: { user: table({ columns: { '1st': col.text() } }) },
        vectors: { Chunks: vectors() },
      }),
    );
    expect(issues.map(at)).toEqual([
      'documents.String: "String" is reserved by Prisma',
      'documents.String.fields.class: "class" is a reserved word in TypeScript',
      'tables.user: "user" is a reserved word in PostgreSQL',
      'tables.user.columns.1st: "1st" is not a valid identifier (letters, digits and _, not starting with a digit)',
      'tables.user.columns.1st: "1st" is not a valid SQL name (lower-case letters, digits and _, not starting with a digit)',
      'vectors.Chunks: "Chunks" is not a valid SQL name (lower-case letters, digits and _, not starting with a digit)',
    ]);
  });

  it('switches to halfvec above 2000 indexed dimensions, and refuses above 4000', () => {
    const ir = parseSchema(defineSchema({ vectors: { big: vectors({ dimension: 3072 }), exact: vectors({ dimension: 12_000, index: { type: 'flat' } }) } }));
    const embedding = (name: string) => ir.vectors.find((v) => v.name === name)!.table.columns.find((c) => c.name === 'embedding')!.type;
    expect(embedding('big')).toEqual({ kind: 'vector', dimensions: 3072, storage: 'halfvec' });
    expect(ir.vectors[0].table.indexes[0].parts[0]).toMatchObject({ opclass: 'halfvec_cosine_ops' });
    expect(embedding('exact')).toEqual({ kind: 'vector', dimensions: 12_000, storage: 'vector' });

    const issues = issuesOf(defineSchema({ vectors: { big: vectors({ dimension: 4001 }), huge: vectors({ dimension: 16_001, index: { type: 'flat' } }) } }));
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(['vectors.big.dimension', 'vectors.huge.dimension']);
    expect(issues[0].message).toContain('1 to 4000');
    expect(issues[1].message).toContain('1 to 16000');
  });

  it('checks HNSW and IVFFlat parameters', () => {
    const issues = issuesOf(
      defineSchema({
        vectors: {
          a: vectors({ index: { type: 'hnsw', m: 1 } }),
          b: vectors({ index: { type: 'hnsw', m: 32, efConstruction: 40 } }),
          c: vectors({ index: { type: 'ivfflat', lists: 0 } }),
          d: vectors({ index: { type: 'hnsw', m: 101, efConstruction: 300 } }),
        },
      }),
    );
    expect(issues.map(at)).toEqual([
      'vectors.a.index.m: HNSW m must be an integer from 2 to 100, got 1',
      'vectors.b.index.efConstruction: HNSW efConstruction must be at least 2·m = 64, got 40',
      'vectors.c.index.lists: IVFFlat lists must be an integer from 1 to 32768, got 0',
      'vectors.d.index.m: HNSW m must be an integer from 2 to 100, got 101',
    ]);
    expect(new Set(issues.map((issue) => issue.code))).toEqual(new Set(['index_parameter_out_of_range']));
  });

  it('enforces Milvus limits: VarChar length and collection names', () => {
    const long = 'c'.repeat(256);
    const issues = issuesOf(defineSchema({ vectors: { a: vectors({ fields: { text: f.string({ maxLength: 70_000 }) } }), [long]: vectors() } }));
    expect(issues.map((issue) => [issue.code, issue.path.join('.')])).toEqual([
      ['milvus_limit', 'vectors.a.fields.text.maxLength'],
      ['invalid_identifier', `vectors.${long}`],
      ['milvus_limit', `vectors.${long}`],
    ]);
  });

  it('requires a timestamp partition key that is part of the primary key', () => {
    const issues = issuesOf(
      defineSchema({
        tables: {
          a: table({ columns: { id: col.bigserial(), kind: col.text() }, primaryKey: ['id', 'kind'], partitionBy: { column: 'kind', interval: 'month', from: '2026-01', count: 2 } }),
          b: table({ columns: { id: col.bigserial().primaryKey(), at: col.timestamp() }, partitionBy: { column: 'at', interval: 'month', from: '2026-13', count: 0 } }),
        },
      }),
    );
    expect(issues.map(at)).toEqual([
      'tables.a.partitionBy.column: the partition key must be a timestamp or date column, "kind" is text',
      'tables.b.partitionBy.column: PostgreSQL requires the partition key "at" in the primary key: use primaryKey: [..., "at"]',
      'tables.b.partitionBy.from: from must be a month as YYYY-MM from 0001-01 to 9999-11, got "2026-13"',
      'tables.b.partitionBy.count: count must be an integer from 1 to 120, got 0',
    ]);
  });

  const partitioned = (from: string, count: number) =>
    table({ columns: { id: col.bigserial(), at: col.timestamp().notNull() }, primaryKey: ['id', 'at'], partitionBy: { column: 'at', interval: 'month', from, count } });

  it('keeps partition bounds within years 0001 to 9999, written with 4 digits', async () => {
    const issues = issuesOf(defineSchema({ tables: { a: partitioned('0000-01', 1), b: partitioned('9999-06', 7), c: partitioned('9999-12', 1), d: partitioned('99999-01', 1) } }));
    expect(issues.map((issue) => [issue.code, at(issue)])).toEqual([
      ['invalid_partition', 'tables.a.partitionBy.from: from must be a month as YYYY-MM from 0001-01 to 9999-11, got "0000-01"'],
      ['invalid_partition', 'tables.b.partitionBy.count: 7 monthly partitions from 9999-06 end after 9999-12-01: partition bounds are years 0001 to 9999'],
      ['invalid_partition', 'tables.c.partitionBy.from: from must be a month as YYYY-MM from 0001-01 to 9999-11, got "9999-12"'],
      ['invalid_partition', 'tables.d.partitionBy.from: from must be a month as YYYY-MM from 0001-01 to 9999-11, got "99999-01"'],
    ]);

    const ir = parseSchema(defineSchema({ tables: { ev: partitioned('0999-12', 2), late: partitioned('9999-11', 1) } }));
    expect(ir.tables.map((t) => t.partition?.months)).toEqual([['0999-12', '1000-01'], ['9999-11']]);
    const sql = (await planMigration(ir, (await emitFiles(ir)).get('drizzle/schema.ts')!, '/nonexistent')).files.get('0000_init.sql')!;
    expect(sql).toContain(`CREATE TABLE "ev_y0999m12" PARTITION OF "ev" FOR VALUES FROM ('0999-12-01 00:00:00+00') TO ('1000-01-01 00:00:00+00');`);
    expect(sql).toContain(`CREATE TABLE "late_y9999m11" PARTITION OF "late" FOR VALUES FROM ('9999-11-01 00:00:00+00') TO ('9999-12-01 00:00:00+00');`);
  });

  it("refuses a partitioned table whose partition names pass PostgreSQL's 63-byte limit", () => {
    const [fits, tooLong] = ['e'.repeat(54), 'e'.repeat(55)];
    expect(issuesOf(defineSchema({ tables: { [fits]: partitioned('2026-01', 1) } }))).toEqual([]);
    expect(issuesOf(defineSchema({ tables: { [tooLong]: partitioned('2026-01', 1), [`${tooLong}_plain`]: table({ columns: { id: col.text() } }) } })).map((issue) => [issue.code, at(issue)])).toEqual([
      ['invalid_identifier', `tables.${tooLong}: "${tooLong}" is too long for a partitioned table: its partition "${tooLong}_y2026m01" would pass PostgreSQL's 63-byte limit for names`],
    ]);
  });

  it('rejects a table or vector collection named like a partition of a partitioned table', () => {
    const plain = table({ columns: { id: col.text().primaryKey() } });
    const issues = issuesOf(defineSchema({ tables: { ev_default: plain, ev: partitioned('2026-01', 2), ev_y2026m02: plain, ev_y2026m03: plain }, vectors: { ev_y2026m01: vectors() } }));
    expect(issues.map((issue) => [issue.code, at(issue)])).toEqual([
      ['duplicate_name', 'tables.ev_default: "ev_default" is the name of a partition of table "ev"'],
      ['duplicate_name', 'tables.ev_y2026m02: "ev_y2026m02" is the name of a partition of table "ev"'],
      ['duplicate_name', 'vectors.ev_y2026m01: "ev_y2026m01" is the name of a partition of table "ev"'],
    ]);
  });

  it('requires unique keys of a partitioned table to include the partition key', () => {
    const issues = issuesOf(
      defineSchema({
        tables: {
          events: table({
            columns: { id: col.bigserial(), at: col.timestamp().notNull(), code: col.text().unique() },
            primaryKey: ['id', 'at'],
            partitionBy: { column: 'at', interval: 'month', from: '2026-01', count: 1 },
            indexes: [{ columns: ['id'] }, { columns: ['code'], unique: true }, { columns: ['code', 'at'], unique: true }],
          }),
        },
      }),
    );
    expect(issues.map(at)).toEqual([
      'tables.events.columns.code: a unique column of a partitioned table must include the partition key: use a unique index on [code, the partition column]',
      'tables.events.indexes.1: a unique index of a partitioned table must include the partition key "at"',
    ]);
  });

  it('rejects unknown options, columns, fields and wrong defaults', () => {
    const issues = issuesOf(
      defineSchema({
        documents: {
          User: document({ fields: { status: f.enum(['a', 'b']).default('c'), age: f.int().default(1.5) }, indexes: [{ fields: ['nope'] }, { text: ['age'] }] }),
        },
        tables: { t: table({ columns: { id: col.text().primaryKey(), data: col.text() }, indexes: [{ using: 'gin', columns: ['data'] }, { columns: ['missing'] }] }) },
        vectors: { v: { ...vectors(), dimensions: 3 } as never },
      }),
    );
    expect(issues.map(at)).toEqual([
      'documents.User.fields.status.default: default "c" does not fit a field of type enum',
      'documents.User.fields.age.default: default 1.5 does not fit a field of type int',
      'documents.User.indexes.0.fields.0: unknown field "nope"',
      'documents.User.indexes.1.text.0: a text index needs string fields, "age" is int',
      'tables.t.indexes.0.columns.0: a GIN index needs a jsonb column, "data" is text',
      'tables.t.indexes.1.columns.0: unknown column "missing"',
      'vectors.v.dimensions: unknown option "dimensions" (expected one of: kind, dimension, metric, index, fields, tenant, backend, fullText, indexes, embedding)',
    ]);
  });

  it('checks the tenant field and the names every record reserves', () => {
    const issues = issuesOf(
      defineSchema({
        vectors: {
          a: vectors({ tenant: 'org' }),
          b: vectors({ tenant: 'count', fields: { count: f.int(), embedding: f.string() } }),
        },
      }),
    );
    expect(issues.map(at)).toEqual([
      'vectors.a.tenant: unknown field "org"',
      'vectors.b.fields.embedding: "embedding" is part of every vector record',
      'vectors.b.tenant: the tenant field must be a required string, "count" is int',
    ]);
  });

  it('checks keyword search declarations: a string field, a known language, the full_text column free, no fulltext index on a vector collection', () => {
    const issues = issuesOf(
      defineSchema({
        vectors: {
          a: vectors({ fullText: { field: 'tag', language: 'klingon' } }),
          b: vectors({ fields: { n: f.int() }, fullText: { field: 'n' } }),
          c: vectors({ fullText: { field: 'missing', extra: 1 } as never }),
          d: vectors({ fields: { fullText: f.string(), body: f.string() }, fullText: { field: 'body' } }),
          e: vectors({ indexes: [{ using: 'fulltext', column: 'tag' }] }),
        },
      }),
    );
    expect(issues.map(at)).toEqual([
      'vectors.a.fullText.language: unknown text search language "klingon"',
      'vectors.b.fullText.field: keyword search needs a string field, "n" is int',
      'vectors.c.fullText.extra: unknown option "extra" (expected one of: field, language)',
      'vectors.c.fullText.field: unknown field "missing"',
      'vectors.d.fields.fullText: "full_text" is the column of keyword search (fullText)',
      'vectors.e.indexes.0: keyword search on a vector collection is declared with fullText: { field, language }, which adds the column, the index and the search',
    ]);
  });

  it("names the Prisma engines' platforms in prisma/schema.prisma's generator block, and refuses what is no platform name", async () => {
    const files = await emitFiles(parseSchema(defineSchema({ prisma: { binaryTargets: ['native', 'rhel-openssl-3.0.x', 'linux-musl-openssl-3.0.x'] }, documents: { A: document({ fields: { x: f.string() } }) } })));
    expect(files.get('prisma/schema.prisma')).toMatch(/generator client \{\n  provider +\= "prisma-client-js"\n  binaryTargets \= \["native", "rhel-openssl-3.0.x", "linux-musl-openssl-3.0.x"\]\n\}/);
    expect((await emitFiles(parseSchema(defineSchema({ documents: { A: document({ fields: { x: f.string() } }) } })))).get('prisma/schema.prisma')).not.toContain('binaryTargets');
    expect(issuesOf(defineSchema({ prisma: { binaryTargets: ['native', 'Native OS', 'native'], engines: 1 } as never })).map(at)).toEqual([
      'prisma.engines: unknown option "engines" (expected one of: binaryTargets)',
      'prisma.binaryTargets.1: expected a Prisma platform name such as "native" or "linux-musl-openssl-3.0.x", got "Native OS"',
      'prisma.binaryTargets.2: "native" is listed twice',
    ]);
    expect(issuesOf(defineSchema({ prisma: { binaryTargets: [] } })).map(at)).toEqual(['prisma.binaryTargets: expected a non-empty list of Prisma platforms such as ["native", "rhel-openssl-3.0.x"], got []']);
  });

  it('takes 64-bit integers as f.bigint() (Prisma BigInt), and keeps f.int() defaults within 32 bits', async () => {
    const schema = defineSchema({ documents: { Stat: document({ fields: { tokens: f.bigint().default(2 ** 40), small: f.int().default(-(2 ** 31)), over: f.int().default(2 ** 31) } }) } });
    expect(issuesOf(schema).map(at)).toEqual(['documents.Stat.fields.over.default: default 2147483648 does not fit a field of type int']);
    const files = await emitFiles(parseSchema(defineSchema({ documents: { Stat: document({ fields: { tokens: f.bigint().default(2 ** 40) } }) } })));
    expect(files.get('prisma/schema.prisma')).toContain('tokens BigInt @default(1099511627776)');
    expect(files.get('generated/documents.ts')).toContain('tokens: bigint;');
    expect(issuesOf(defineSchema({ vectors: { v: vectors({ fields: { n: f.bigint() } }) } })).map(at)).toEqual([
      'vectors.v.fields.n: a vector collection field must be string, int, float, boolean, datetime, json, enum or ref, got bigint',
    ]);
  });

  it('refuses what MongoDB could never index or store as declared: collection names, stored keys, one key indexed twice, nested .unique()', () => {
    const issues = issuesOf(
      defineSchema({
        documents: {
          A: document({ collection: 'system.users', fields: { x: f.string().map('_id'), y: f.string().map('a.b') } }),
          B: document({ collection: 'shared', fields: { z: f.string().unique().map('k'), w: f.string().map('k') }, indexes: [{ fields: ['z'] }, { fields: ['w', 'w'] }] }),
          C: document({ collection: 'shared', fields: { o: f.object({ inner: f.string().unique() }) } }),
          D: document({ collection: 'a"b', fields: {} }),
        },
      }),
    );
    expect(issues.map(at)).toEqual([
      'documents.A.collection: "system.users" cannot name a MongoDB collection (not empty, no $, NUL or ", not starting with "system." or ".", at most 120 bytes)',
      'documents.A.fields.x.map: "_id" cannot be a stored key (not empty, not _id, no dots, not starting with $)',
      'documents.A.fields.y.map: "a.b" cannot be a stored key (not empty, not _id, no dots, not starting with $)',
      'documents.B.fields.w: stored key "k" is already defined at documents.B.fields.z',
      'documents.B.indexes.1.fields.1: indexed field "w" is already defined at documents.B.indexes.1.fields.0',
      'documents.B.indexes.0: an index on the key "k:1" is already defined at documents.B.fields.z',
      'documents.C.fields.o.fields.inner: .unique() and .index() apply to top-level fields: index a nested one with indexes: [{ fields: ["outer.inner"] }]',
      'documents.D.collection: "a\\"b" cannot name a MongoDB collection (not empty, no $, NUL or ", not starting with "system." or ".", at most 120 bytes)',
      'documents.C.collection: collection "shared" is already defined at documents.B.collection',
    ]);
  });

  it('takes a default for every field type: JSON values for JSON fields, arrays for lists of scalars', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = issuesOf(
      defineSchema({
        documents: {
          D: document({
            fields: {
              a: f.json().default({ nan: Number.NaN }),
              b: f.json().default(cyclic),
              c: f.array(f.int()).default([1, 2.5]),
              d: f.array(f.object({ x: f.string() })).default([]),
              e: f.string().default({ x: 1 }),
            },
          }),
        },
      }),
    );
    expect(bad.map(at)).toEqual([
      'documents.D.fields.a.default: a JSON default must be plain JSON (no undefined, functions, cycles or non-finite numbers)',
      'documents.D.fields.b.default: a JSON default must be plain JSON (no undefined, functions, cycles or non-finite numbers)',
      'documents.D.fields.c.default.1: 2.5 does not fit a list of int',
      'documents.D.fields.d.default: a default of [] fits a JSON field or a list of scalars, not a field of type array',
      'documents.D.fields.e.default: a default of {"x":1} fits a JSON field or a list of scalars, not a field of type string',
    ]);
    const files = await emitFiles(
      parseSchema(defineSchema({ documents: { Chat: document({ fields: { variables: f.json().default({ lang: 'en', n: [1] }), tags: f.array(f.string()).default(['new']), roles: f.array(f.enum(['a', 'b'])).default(['a']), none: f.json().default(null) } }) } })),
    );
    const prisma = files.get('prisma/schema.prisma')!;
    expect(prisma).toMatch(/variables Json +@default\("\{\\"lang\\":\\"en\\",\\"n\\":\[1\]\}"\)/);
    expect(prisma).toMatch(/tags +String\[\] +@default\(\["new"\]\)/);
    expect(prisma).toMatch(/roles +ChatRoles\[\] +@default\(\[a\]\)/);
    expect(prisma).toMatch(/none +Json +@default\("null"\)/);
  });

  it('checks TTL indexes and index names of documents', () => {
    const issues = issuesOf(
      defineSchema({
        documents: {
          Session: document({
            fields: { token: f.string().index(), expiresAt: f.datetime(), note: f.string() },
            indexes: [
              { fields: ['expiresAt'], expireAfterSeconds: 3_600 },
              { fields: ['note'], expireAfterSeconds: 60 },
              { fields: ['expiresAt', 'note'], expireAfterSeconds: -1 },
              { fields: ['token'] },
            ],
          }),
        },
      }),
    );
    expect(issues.map(at)).toEqual([
      'documents.Session.indexes.1: a TTL index (expireAfterSeconds) has exactly one field, a datetime',
      'documents.Session.indexes.2.expireAfterSeconds: expireAfterSeconds must be an integer from 0 to 2147483647, got -1',
      'documents.Session.indexes.2: a TTL index (expireAfterSeconds) has exactly one field, a datetime',
      'documents.Session.indexes.3: index "Session_token_idx" is already defined at documents.Session.fields.token',
      'documents.Session.indexes.3: an index on the key "token:1" is already defined at documents.Session.fields.token',
    ]);
  });

  it('throws a SchemaValidationError whose message lists every issue', () => {
    expect(() => parseSchema(defineSchema({ documents: { A: document({ fields: { b: f.ref('B'), c: f.ref('C') } }) } }))).toThrowError(
      new SchemaValidationError([
        { code: 'unknown_reference', path: ['documents', 'A', 'fields', 'b'], message: 'unknown reference "B"' },
        { code: 'unknown_reference', path: ['documents', 'A', 'fields', 'c'], message: 'unknown reference "C"' },
      ]),
    );
  });
});
