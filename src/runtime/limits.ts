/** Documented limits of VectorStore calls. */
export const MAX_RECORDS_PER_CALL = 10_000;
/** pgvector's iterative scans and Milvus's search both cap results near this. */
export const MAX_TOP_K = 1_000;
export const MAX_ID_LENGTH = 255;
const INT32 = 2 ** 31;
export const INT_RANGE = [-INT32, INT32 - 1] as const;
