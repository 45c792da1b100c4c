/** Engine limits the generator enforces, with where each comes from. */
export const limits = {
  /** PostgreSQL truncates longer names silently (NAMEDATALEN - 1 bytes). */
  postgresMaxName: 63,
  /** pgvector: `vector` stores up to 16,000 dimensions... */
  pgvectorMaxStored: 16_000,
  /** ...but HNSW and IVFFlat index it only up to 2,000, */
  pgvectorMaxIndexedVector: 2_000,
  /** and `halfvec` up to 4,000. */
  pgvectorMaxIndexedHalfvec: 4_000,
  /** pgvector HNSW: m from 2 to 100, ef_construction from 4 to 1000 and at least 2·m. */
  hnswM: [2, 100],
  hnswEfConstruction: [4, 1_000],
  /** pgvector IVFFlat: lists from 1 to 32,768. */
  ivfflatLists: [1, 32_768],
  /** Milvus: FloatVector up to 32,768 dimensions, VarChar up to 65,535 bytes, names up to 255 characters. */
  milvusMaxDimension: 32_768,
  milvusMaxVarChar: 65_535,
  milvusMaxName: 255,
  milvusMaxFields: 64,
  /** Record ids: VarChar(255) in Milvus, varchar(255) in PostgreSQL. */
  idMaxLength: 255,
} as const;

export const MILVUS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** PostgreSQL's built-in text search configurations. */
export const TEXT_SEARCH_LANGUAGES = new Set(
  (
    'simple arabic armenian basque catalan danish dutch english finnish french german greek hindi hungarian ' +
    'indonesian irish italian lithuanian nepali norwegian portuguese romanian russian serbian spanish swedish ' +
    'tamil turkish yiddish'
  ).split(' '),
);
