import type { MilvusFieldSpec } from '../../src/runtime/contract/milvus-spec.js';

/** The text search configurations whose stemmer Milvus's `stemmer` filter has. */
const STEMMED = new Set(['arabic', 'danish', 'dutch', 'english', 'finnish', 'french', 'german', 'greek', 'hungarian', 'italian', 'norwegian', 'portuguese', 'romanian', 'russian', 'spanish', 'swedish', 'tamil', 'turkish']);

/**
 * Milvus's analyzer nearest to a PostgreSQL text search configuration: the standard tokenizer, lowercased, then
 * (as PostgreSQL's does) English stop words and the language's stemmer. 'simple' and languages Milvus cannot stem
 * are only lowercased.
 */
export function milvusAnalyzer(language: string): NonNullable<MilvusFieldSpec['analyzer_params']> {
  const filter: NonNullable<MilvusFieldSpec['analyzer_params']>['filter'] = ['lowercase'];
  if (language === 'english') filter.push({ type: 'stop', stop_words: ['_english_'] });
  if (STEMMED.has(language)) filter.push({ type: 'stemmer', language });
  return { tokenizer: 'standard', filter };
}
