import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import type { Statement } from '../postgres/connection.js';
import { efSearch, ivfProbes } from '../search/search-breadth.js';

/**
 * Per-search index settings, local to the search's transaction: a candidate
 * list sized from topK, and pgvector 0.8's iterative scans, which keep
 * scanning the index while a filter leaves fewer than topK rows.
 * Undefined for exact (flat) search, which needs none.
 */
export function searchSettings(descriptor: VectorCollectionDescriptor, topK: number): Statement | undefined {
  if (descriptor.indexType === 'hnsw') {
    return { sql: "SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)", params: [String(efSearch(topK))] };
  }
  if (descriptor.indexType === 'ivfflat') {
    const lists = descriptor.indexParams.lists;
    const probes = ivfProbes(lists);
    return {
      sql: "SELECT set_config('ivfflat.probes', $1, true), set_config('ivfflat.iterative_scan', 'relaxed_order', true), set_config('ivfflat.max_probes', $2, true)",
      params: [String(probes), String(lists)],
    };
  }
  return undefined;
}
