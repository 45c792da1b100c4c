import type { Metric, VectorIndexDef } from '../../src/schema/define.js';
import type { TableIndexIR } from '../ir.js';
import type { Issues, Path } from './issues.js';
import { limits } from './limits.js';
import { indexName } from './names.js';

export const METRICS: readonly Metric[] = ['cosine', 'l2', 'ip'];
const OPS: Record<Metric, string> = { cosine: 'cosine_ops', l2: 'l2_ops', ip: 'ip_ops' };

/**
 * pgvector's type for a vector column: `vector` where it can be indexed (or
 * is not), `halfvec` where only half precision fits under the index limit.
 */
export function vectorStorage(issues: Issues, dimensions: unknown, indexed: boolean, path: Path): 'vector' | 'halfvec' {
  const max = indexed ? limits.pgvectorMaxIndexedHalfvec : limits.pgvectorMaxStored;
  const why = indexed
    ? `pgvector indexes at most ${limits.pgvectorMaxIndexedVector} dimensions as vector and ${limits.pgvectorMaxIndexedHalfvec} as halfvec; use index type "flat" (exact search) for more`
    : `pgvector stores at most ${limits.pgvectorMaxStored} dimensions`;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > max) {
    issues.add('dimension_out_of_range', path, `dimension must be an integer from 1 to ${max}, got ${JSON.stringify(dimensions)}: ${why}`);
    return 'vector';
  }
  return indexed && dimensions > limits.pgvectorMaxIndexedVector ? 'halfvec' : 'vector';
}

/** The HNSW or IVFFlat index of a vector column, with its parameters checked; undefined for exact search. */
export function vectorIndex(
  issues: Issues,
  table: string,
  column: string,
  storage: 'vector' | 'halfvec',
  metric: Metric,
  def: VectorIndexDef,
  path: Path,
): TableIndexIR | undefined {
  if (!METRICS.includes(metric)) {
    issues.add('invalid_value', [...path, 'metric'], `metric must be one of ${METRICS.join(', ')}, got ${JSON.stringify(metric)}`);
  }
  const opclass = `${storage}_${OPS[metric] ?? OPS.cosine}`;
  const part = { kind: 'column' as const, column, opclass };
  switch (def.type) {
    case 'hnsw': {
      issues.unknownKeys(def, ['type', 'm', 'efConstruction', 'using', 'column', 'metric'], path);
      const m = def.m ?? 16;
      const efConstruction = def.efConstruction ?? 64;
      const mOk = issues.intInRange('index_parameter_out_of_range', m, limits.hnswM[0], limits.hnswM[1], [...path, 'm'], 'HNSW m');
      if (issues.intInRange('index_parameter_out_of_range', efConstruction, limits.hnswEfConstruction[0], limits.hnswEfConstruction[1], [...path, 'efConstruction'], 'HNSW efConstruction') && mOk && efConstruction < 2 * m) {
        issues.add('index_parameter_out_of_range', [...path, 'efConstruction'], `HNSW efConstruction must be at least 2·m = ${2 * m}, got ${efConstruction}`);
      }
      return { name: indexName(table, [column], 'hnsw'), method: 'hnsw', unique: false, parts: [part], with: [['m', m], ['ef_construction', efConstruction]] };
    }
    case 'ivfflat': {
      issues.unknownKeys(def, ['type', 'lists', 'using', 'column', 'metric'], path);
      const lists = def.lists ?? 100;
      issues.intInRange('index_parameter_out_of_range', lists, limits.ivfflatLists[0], limits.ivfflatLists[1], [...path, 'lists'], 'IVFFlat lists');
      return { name: indexName(table, [column], 'ivfflat'), method: 'ivfflat', unique: false, parts: [part], with: [['lists', lists]] };
    }
    case 'flat':
      issues.unknownKeys(def, ['type', 'using', 'column', 'metric'], path);
      return undefined;
    default:
      issues.add('invalid_value', [...path, 'type'], `index type must be hnsw, ivfflat or flat, got ${JSON.stringify((def as { type: unknown }).type)}`);
      return undefined;
  }
}
