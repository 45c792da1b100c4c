/**
 * The query of a keyset page on Milvus: rows matching `filter` whose key is after `after` (`''`: from the start), in
 * key order, `limit` at most. The iterator parameters make Milvus sort by key rather than return any `limit` rows.
 */
import type { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node';
import { stringLiteral } from './filter-expr.js';

export interface KeyPage {
  collection: string;
  key: string;
  filter: string;
  after: string;
  limit: number;
  fields: string[];
  consistency: ConsistencyLevelEnum;
}

export function keyPageQuery(page: KeyPage) {
  return {
    collection_name: page.collection,
    filter: `${page.filter ? `(${page.filter}) and ` : ''}${page.key} > ${stringLiteral(page.after)}`,
    output_fields: page.fields.includes(page.key) ? page.fields : [page.key, ...page.fields],
    limit: page.limit,
    params: { iterator: 'True', reduce_stop_for_best: 'True' },
    consistency_level: page.consistency,
  };
}
