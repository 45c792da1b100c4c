import type { ColumnType } from '../../src/schema/column.js';
import type { VectorCollectionDef } from '../../src/schema/define.js';
import type { FieldDef } from '../../src/schema/field.js';
import type { MilvusFieldSpec, MilvusIndexSpec, MilvusMetric } from '../../src/runtime/contract/milvus-spec.js';
import { type EmbeddingGeneration, FIRST_VECTOR_COLUMN, milvusCollectionOf } from '../../src/schema/embedding-generations.js';
import { declaredDimension, GENERATION_COLUMN, parseEmbedding } from './embedding.js';
import { milvusAnalyzer } from './milvus-analyzer.js';
import { DOCUMENT_ID_LENGTH, WRITTEN_AT_COLUMN } from '../../src/runtime/contract/document-link.js';
import type { ColumnIR, DocumentIR, TableIndexIR, TableIR, VectorCollectionIR, VectorFieldIR, VectorFieldTypeIR } from '../ir.js';
import { Issues, type Path } from './issues.js';
import { limits, MILVUS_NAME } from './limits.js';
import { parseLink } from './links.js';
import { camelCase, checkSqlName, checkTsName, indexName, reportDuplicates, snakeCase } from './names.js';
import { columnLookup, parseTableIndex, textSearchLanguage } from './tables.js';
import { vectorIndex, vectorStorage } from './vector-index.js';

const COLLECTION_KEYS = ['kind', 'dimension', 'metric', 'index', 'fields', 'tenant', 'backend', 'fullText', 'indexes', 'embedding'];
/** The tsvector column (pgvector) and the sparse BM25 field (Milvus) of keyword search. */
const FULL_TEXT = 'full_text';
/** Every record has these two; fields may not take their names. */
const RECORD_KEYS = ['id', 'embedding'];
/** The Milvus primary key of a multi-tenant collection (tenant and id together); no field's column may take it. */
const TENANT_KEY = 'pk';
const MILVUS_METRIC: Record<string, MilvusMetric> = { cosine: 'COSINE', l2: 'L2', ip: 'IP' };

/**
 * `documents`: the schema's document models, which fields may link to; `recorded`: the collection's embedding
 * generations so far (drizzle/meta/polystore_embeddings.json).
 */
export function parseVectorCollection(issues: Issues, name: string, def: VectorCollectionDef, path: Path, documents: readonly DocumentIR[] = [], recorded?: EmbeddingGeneration[]): VectorCollectionIR {
  checkSqlName(issues, name, path);
  checkMilvusName(issues, name, path, 'collection name');
  issues.unknownKeys(def, COLLECTION_KEYS, path);
  const indexType = def.index?.type;
  const backend = def.backend ?? 'pgvector';
  if (backend !== 'pgvector' && backend !== 'milvus') {
    issues.add('invalid_value', [...path, 'backend'], `backend must be "pgvector" or "milvus", got ${JSON.stringify(backend)}`);
  }
  const dimensionPath = [...path, def.embedding?.dimension !== undefined ? 'embedding' : '', 'dimension'].filter((key) => key !== '');
  const dimension = declaredDimension(issues, def.dimension, def.embedding, path);
  const storage = vectorStorage(issues, dimension, indexType !== 'flat', dimensionPath);
  const fields = Object.entries(def.fields ?? {}).map(([field, fieldDef]) => parseField(issues, field, fieldDef, [...path, 'fields', field], { name, documents, tenant: def.tenant }));
  // A linked collection keeps each record's time of writing: the window of a check, the grace of a sweep.
  const linked = fields.some((field) => field.link);
  if (linked) for (const field of fields.filter((candidate) => candidate.column === WRITTEN_AT_COLUMN)) issues.add('reserved_word', [...path, 'fields', field.name], `"${WRITTEN_AT_COLUMN}" is the time of writing of a collection linked to documents`);
  const embedding = def.embedding === undefined ? undefined : parseEmbedding(issues, def.embedding, { dimension: dimension as number, storage }, fields, recorded, [...path, 'embedding']);
  // One vector column per generation of embeddings: NOT NULL alone, nullable while a change fills the new one.
  const vectorColumns = embedding?.generations ?? [{ column: FIRST_VECTOR_COLUMN, dimension: dimension as number, storage }];
  const target = vectorColumns.find((generation) => generation.column === (embedding?.column ?? FIRST_VECTOR_COLUMN))!;
  // A later generation's collection is named after the first one's, which is checked above.
  for (const generation of vectorColumns.filter((later) => later.column !== FIRST_VECTOR_COLUMN)) checkMilvusName(issues, milvusCollectionOf(name, generation.column), path, 'collection name (of an embedding generation)');
  reportDuplicates(issues, fields.map((field) => ({ name: field.column, path: [...path, 'fields', field.name] })), 'column');
  const milvusFieldCount = fields.length + RECORD_KEYS.length + (def.fullText ? 1 : 0) + (linked ? 1 : 0);
  if (milvusFieldCount > limits.milvusMaxFields) {
    issues.add('milvus_limit', [...path, 'fields'], `Milvus allows at most ${limits.milvusMaxFields} fields in a collection, this one has ${milvusFieldCount}`);
  }
  if (def.tenant !== undefined) {
    const tenant = fields.find((field) => field.name === def.tenant);
    if (!tenant) issues.add('unknown_field', [...path, 'tenant'], `unknown field "${def.tenant}"`);
    else if (tenant.type.kind !== 'string' || tenant.optional) {
      issues.add('invalid_type', [...path, 'tenant'], `the tenant field must be a required string, "${def.tenant}" is ${tenant.optional ? 'optional' : tenant.type.kind}`);
    }
  }

  const fullText = def.fullText === undefined ? undefined : parseFullText(issues, def.fullText, fields, [...path, 'fullText']);
  const columns: ColumnIR[] = [
    { name: 'id', tsName: 'id', type: { kind: 'varchar', length: limits.idMaxLength }, notNull: true, primaryKey: true, unique: false },
    ...fields.map((field): ColumnIR => ({ name: field.column, tsName: field.name, type: columnType(field.type), notNull: !field.optional, primaryKey: false, unique: false })),
    ...vectorColumns.map((generation): ColumnIR => ({ name: generation.column, tsName: generation.column, type: { kind: 'vector', dimensions: generation.dimension, storage: generation.storage }, notNull: vectorColumns.length === 1, primaryKey: false, unique: false })),
    // A stored generated column, not an index on to_tsvector(…): ranking reads it instead of parsing each matching
    // text again. Measured on 6,123 paragraphs of prose, top 40 by ts_rank_cd: p50 0.75 ms against 3.89, p95 1.8 against 39.
    ...(fullText ? [{ name: FULL_TEXT, tsName: 'fullText', type: { kind: 'tsvector' as const, source: fullText.source, language: fullText.language }, notNull: false, primaryKey: false, unique: false }] : []),
    ...(linked ? [{ name: WRITTEN_AT_COLUMN, tsName: 'writtenAt', type: { kind: 'timestamp' as const, withTimezone: true }, notNull: true, primaryKey: false, unique: false, default: { now: true as const } }] : []),
  ];
  const lookup = columnLookup(issues, columns);
  // The schema's generation reports the index's problems; the others' indexes are the same definition.
  const annIndexes = def.index
    ? vectorColumns.flatMap((generation) => vectorIndex(generation === target ? issues : new Issues(), name, generation.column, generation.storage, def.metric, def.index, [...path, 'index']) ?? [])
    : [];
  const annIndex = annIndexes.find((index) => index.parts[0]?.kind === 'column' && index.parts[0].column === target.column);
  if (!def.index) issues.add('invalid_value', [...path, 'index'], 'index is required: { type: "hnsw" | "ivfflat" | "flat", ...parameters }');
  const indexes: TableIndexIR[] = [
    ...annIndexes,
    ...fields.filter((field) => field.indexed || field.name === def.tenant).map((field) => scalarIndex(name, field)),
    ...(linked ? [{ name: indexName(name, [WRITTEN_AT_COLUMN], 'idx'), method: 'btree' as const, unique: false, parts: [{ kind: 'column' as const, column: WRITTEN_AT_COLUMN }] }] : []),
    // Named after what the column is made from: a change of field or language drops and adds the column again, which
    // drops its index; a new name makes drizzle-kit create the index again (an unchanged name, it would not).
    ...(fullText ? [{ name: indexName(name, [FULL_TEXT, fullText.source, fullText.language], 'gin'), method: 'gin' as const, unique: false, parts: [{ kind: 'column' as const, column: FULL_TEXT }] }] : []),
    ...(def.indexes ?? []).flatMap((index, i) => {
      if (index?.using !== 'fulltext') return parseTableIndex(issues, name, lookup, index, [...path, 'indexes', i]) ?? [];
      issues.add('invalid_value', [...path, 'indexes', i], 'keyword search on a vector collection is declared with fullText: { field, language }, which adds the column, the index and the search');
      return [];
    }),
  ];
  reportDuplicates(issues, indexes.map((index) => ({ name: index.name, path: [...path, 'indexes', index.name] })), 'index');
  const table: TableIR = { name, exportName: camelCase(name), columns, indexes };

  return {
    name,
    dimension: target.dimension,
    metric: def.metric,
    indexType: indexType ?? 'flat',
    indexParams: Object.fromEntries(annIndex?.with ?? []),
    storage,
    backend,
    ...(def.tenant !== undefined ? { tenant: def.tenant } : {}),
    ...(fullText ? { fullText: { field: fullText.field, language: fullText.language, column: FULL_TEXT } } : {}),
    fields,
    table,
    ...(embedding ? { embedding } : {}),
    milvus: {
      collection_name: milvusCollectionOf(name, target.column),
      fields: [
        ...milvusKeys(fields.find((field) => field.name === def.tenant)),
        ...fields.map((field) => {
          const spec = milvusField(field, field.name === def.tenant);
          return field.name === fullText?.field ? { ...spec, enable_analyzer: true as const, analyzer_params: milvusAnalyzer(fullText.language) } : spec;
        }),
        { name: 'embedding', data_type: 'FloatVector', dim: target.dimension },
        ...(fullText ? [{ name: FULL_TEXT, data_type: 'SparseFloatVector' as const }] : []),
        // Milliseconds since the epoch, as datetime fields are stored.
        ...(linked ? [{ name: WRITTEN_AT_COLUMN, data_type: 'Int64' as const }] : []),
      ],
      indexes: [
        milvusVectorIndex(def, annIndex),
        ...(def.tenant !== undefined ? [{ field_name: 'id', index_name: 'id_idx', index_type: 'INVERTED' as const }] : []),
        ...fields.filter((field) => field.indexed && field.type.kind !== 'json').map(milvusScalarIndex),
        ...(fullText ? [{ field_name: FULL_TEXT, index_name: `${FULL_TEXT}_idx`, index_type: 'SPARSE_INVERTED_INDEX' as const, metric_type: 'BM25' as const }] : []),
      ],
      ...(fullText ? { functions: [{ name: `${FULL_TEXT}_bm25`, type: 'BM25' as const, input_field_names: [fullText.source], output_field_names: [FULL_TEXT] }] } : {}),
      enable_dynamic_field: false,
    },
  };
}

/** `fullText`: one required or optional string field, a known text search configuration, and no field named like its column. */
function parseFullText(issues: Issues, def: NonNullable<VectorCollectionDef['fullText']>, fields: VectorFieldIR[], path: Path) {
  if (!def || typeof def !== 'object') {
    issues.add('invalid_value', path, 'fullText must be { field, language? }');
    return undefined;
  }
  issues.unknownKeys(def, ['field', 'language'], path);
  const language = textSearchLanguage(issues, def.language, [...path, 'language']);
  const field = fields.find((candidate) => candidate.name === def.field);
  if (!field) issues.add('unknown_field', [...path, 'field'], `unknown field ${JSON.stringify(def.field)}`);
  else if (field.type.kind !== 'string') issues.add('invalid_type', [...path, 'field'], `keyword search needs a string field, "${def.field}" is ${field.type.kind}`);
  const taken = fields.find((candidate) => candidate.column === FULL_TEXT);
  if (taken) issues.add('reserved_word', [...path.slice(0, -1), 'fields', taken.name], `"${FULL_TEXT}" is the column of keyword search (fullText)`);
  return field ? { field: field.name, source: field.column, language } : undefined;
}

function parseField(issues: Issues, name: string, def: FieldDef, path: Path, context: { name: string; documents: readonly DocumentIR[]; tenant: string | undefined }): VectorFieldIR {
  checkTsName(issues, name, path);
  if (RECORD_KEYS.includes(name)) issues.add('reserved_word', path, `"${name}" is part of every vector record`);
  const column = snakeCase(name);
  if (GENERATION_COLUMN.test(column)) issues.add('reserved_word', path, `"${column}" is the column of an embedding generation`);
  if (column === TENANT_KEY) issues.add('reserved_word', path, `"${TENANT_KEY}" is the Milvus primary key of multi-tenant collections`);
  checkSqlName(issues, column, path);
  checkMilvusName(issues, column, path, 'field name');
  const type = fieldType(issues, def, path);
  const spec = def.spec.type;
  const link = spec.kind === 'ref' ? parseLink(issues, spec, { name, column }, context, path) : undefined;
  // A link is filtered on by every cascade and sweep: always indexed.
  return { name, column, type, optional: def.spec.optional, indexed: def.spec.indexed || link !== undefined, ...(link ? { link } : {}) };
}

function fieldType(issues: Issues, def: FieldDef, path: Path): VectorFieldTypeIR {
  const type = def.spec.type;
  switch (type.kind) {
    case 'string': {
      const maxLength = type.maxLength ?? limits.milvusMaxVarChar;
      if (type.maxLength !== undefined) {
        issues.intInRange('milvus_limit', type.maxLength, 1, limits.milvusMaxVarChar, [...path, 'maxLength'], 'maxLength (Milvus VarChar max_length)');
      }
      return { kind: 'string', maxLength };
    }
    case 'enum':
      if (type.values.length === 0) issues.add('invalid_value', path, 'an enum needs at least one value');
      return { kind: 'enum', values: [...type.values] };
    case 'ref':
      return { kind: 'string', maxLength: DOCUMENT_ID_LENGTH };
    case 'int':
    case 'float':
    case 'boolean':
    case 'datetime':
    case 'json':
      return { kind: type.kind };
    default:
      issues.add('invalid_type', path, `a vector collection field must be string, int, float, boolean, datetime, json, enum or ref, got ${type.kind}`);
      return { kind: 'json' };
  }
}

function columnType(type: VectorFieldTypeIR): Exclude<ColumnType, { kind: 'vector' }> {
  switch (type.kind) {
    case 'string':
      return type.maxLength < limits.milvusMaxVarChar ? { kind: 'varchar', length: type.maxLength } : { kind: 'text' };
    case 'enum':
      return { kind: 'text' };
    case 'int':
      return { kind: 'integer' };
    case 'float':
      return { kind: 'doublePrecision' };
    case 'boolean':
      return { kind: 'boolean' };
    case 'datetime':
      return { kind: 'timestamp', withTimezone: true };
    case 'json':
      return { kind: 'jsonb' };
  }
}

function scalarIndex(table: string, field: VectorFieldIR): TableIndexIR {
  const gin = field.type.kind === 'json';
  return { name: indexName(table, [field.column], gin ? 'gin' : 'idx'), method: gin ? 'gin' : 'btree', unique: false, parts: [{ kind: 'column', column: field.column }] };
}

/**
 * The primary key. In a multi-tenant collection it is the tenant and the id together (`pk`), the id an indexed
 * field: Milvus has no conditional write, so this is what keeps one tenant's upsert from replacing another
 * tenant's record of the same id, atomically.
 */
function milvusKeys(tenant: VectorFieldIR | undefined): MilvusFieldSpec[] {
  if (!tenant) return [{ name: 'id', data_type: 'VarChar', is_primary_key: true, max_length: limits.idMaxLength }];
  const tenantBytes = tenant.type.kind === 'string' ? tenant.type.maxLength : 0;
  // `<tenant length>:<tenant><id>`: the length prefix keeps every pair distinct.
  const keyLength = Math.min(limits.milvusMaxVarChar, String(tenantBytes).length + 1 + tenantBytes + limits.idMaxLength);
  return [
    { name: TENANT_KEY, data_type: 'VarChar', is_primary_key: true, max_length: keyLength },
    { name: 'id', data_type: 'VarChar', max_length: limits.idMaxLength },
  ];
}

function milvusField(field: VectorFieldIR, isTenant: boolean): MilvusFieldSpec {
  const nullable = field.optional ? { nullable: true as const } : {};
  const partitionKey = isTenant ? { is_partition_key: true as const } : {};
  switch (field.type.kind) {
    case 'string':
      return { name: field.column, data_type: 'VarChar', max_length: field.type.maxLength, ...nullable, ...partitionKey };
    case 'enum':
      return { name: field.column, data_type: 'VarChar', max_length: Math.max(...field.type.values.map((value) => Buffer.byteLength(value)), 1), ...nullable };
    case 'int':
      return { name: field.column, data_type: 'Int32', ...nullable };
    case 'float':
      return { name: field.column, data_type: 'Double', ...nullable };
    case 'boolean':
      return { name: field.column, data_type: 'Bool', ...nullable };
    case 'datetime':
      return { name: field.column, data_type: 'Int64', ...nullable };
    case 'json':
      return { name: field.column, data_type: 'JSON', ...nullable };
  }
}

function milvusVectorIndex(def: VectorCollectionDef, ann: TableIndexIR | undefined): MilvusIndexSpec {
  const metric_type = MILVUS_METRIC[def.metric] ?? 'COSINE';
  const params = Object.fromEntries(ann?.with ?? []);
  const base = { field_name: 'embedding', index_name: 'embedding_idx', metric_type };
  if (ann?.method === 'hnsw') return { ...base, index_type: 'HNSW', params: { M: params.m, efConstruction: params.ef_construction } };
  if (ann?.method === 'ivfflat') return { ...base, index_type: 'IVF_FLAT', params: { nlist: params.lists } };
  return { ...base, index_type: 'FLAT' };
}

function milvusScalarIndex(field: VectorFieldIR): MilvusIndexSpec {
  return { field_name: field.column, index_name: `${field.column}_idx`, index_type: 'INVERTED' };
}

function checkMilvusName(issues: Issues, name: string, path: Path, what: string): void {
  if (!MILVUS_NAME.test(name) || name.length > limits.milvusMaxName) {
    issues.add('milvus_limit', path, `"${name}" is not a valid Milvus ${what} (letters, digits and _, not starting with a digit, at most ${limits.milvusMaxName} characters)`);
  }
}
