/** Documented limits of VectorStore calls. */
export const MAX_RECORDS_PER_CALL = 10_000;
/** pgvector's iterative scans and Milvus's search both cap results near this. */
export const MAX_TOP_K = 1_000;
export const MAX_ID_LENGTH = 255;
const INT32 = 2 ** 31;
export const INT_RANGE = [-INT32, INT32 - 1] as const;
/** Nesting of AND/OR/NOT in one filter: deeper ones overflow PGlite's parser and JavaScript's stack. */
export const MAX_FILTER_DEPTH = 64;
/** Values in one filter, all lists together: PostgreSQL binds at most 65,535 parameters, a search a few of its own. */
export const MAX_FILTER_VALUES = 65_000;
/** Datetimes every backend stores and PostgreSQL reads from ISO 8601 text: the years 0001–9999, UTC. */
export const DATE_RANGE = [new Date('0001-01-01T00:00:00.000Z'), new Date('9999-12-31T23:59:59.999Z')] as const;
/** Nesting of a JSON value: Milvus's parser fails far deeper (about 980 levels); a cyclic object never ends. */
export const MAX_JSON_DEPTH = 64;
/** Keys of one JSON path in a filter: PostgreSQL's jsonb_extract_path takes at most 100 arguments. */
export const MAX_JSON_PATH = 64;
/** The longest keyword query, in characters (16 KiB of ASCII): far beyond any search box, short of a costly tsquery. */
export const MAX_QUERY_TEXT = 16_384;
