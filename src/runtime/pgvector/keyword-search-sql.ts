/**
 * Keyword and hybrid search on pgvector, each one statement. The query text and the text search configuration
 * are bound parameters, parsed by websearch_to_tsquery, which reads any input (quotes, operators, backslashes) as
 * words, a phrase, `or` or `-word`, and never raises a syntax error. Ranking reads the generated tsvector column
 * (ts_rank_cd: how often and how close together the terms occur), found through its GIN index.
 */
import type { HybridSettings } from '../search/search-breadth.js';

/** What both statements need of the store: quoted identifiers, its condition, and the parameters bound so far. */
export interface KeywordSearchParts {
  table: string;
  id: string;
  fullText: string;
  /** The select list of the record, its columns qualified with `c.`. */
  qualifiedList: string;
  /** The store's condition (tenant, `where`), its values already in `params`. */
  where: string;
  params: unknown[];
  language: string;
  text: string;
}

/** The hits of a keyword search: the record's columns, then its keyword score. */
export function keywordSearchSql(parts: KeywordSearchParts, topK: number): string {
  const { params } = parts;
  const query = tsquery(parts);
  return `select ${parts.qualifiedList}, ts_rank_cd(c.${parts.fullText}, ${query}) as "polystore_text_score" from ${parts.table} c
    where c.${parts.fullText} @@ ${query} and ${matchesWords(query)} and ${parts.where}
    order by "polystore_text_score" desc, c.${parts.id} limit $${params.push(topK)}`;
}

export interface HybridParts extends KeywordSearchParts, HybridSettings {
  /** `c."embedding" <=> $n::vector`: the distance to the query vector. */
  distance: string;
  topK: number;
}

/**
 * The hits of a hybrid search: each side ranks its `candidates` best (the vector side through the HNSW or IVFFlat
 * index, the keyword side through the GIN index; ties at the cut by id, as a keyword search orders them), the
 * two lists are joined on the id, and each hit's score is Σ weight / (k + rank) over the sides that found it. Columns: the record's, then the fused score, the vector
 * side's rank and distance, the keyword side's rank and score (null where that side did not find the hit).
 */
export function hybridSearchSql(parts: HybridParts): string {
  const { params } = parts;
  const query = tsquery(parts);
  const candidates = `$${params.push(parts.candidates)}`;
  const k = `$${params.push(parts.k)}::float8`;
  const [vectorWeight, textWeight] = [`$${params.push(parts.weights.vector)}::float8`, `$${params.push(parts.weights.text)}::float8`];
  return `with "polystore_vector_side" as (
      select "id", "distance", row_number() over (order by "distance", "id") as "rank" from (
        select c.${parts.id} as "id", ${parts.distance} as "distance" from ${parts.table} c where ${parts.where} order by "distance" limit ${candidates}
      ) as nearest
    ), "polystore_text_side" as (
      select "id", "score", row_number() over (order by "score" desc, "id") as "rank" from (
        select c.${parts.id} as "id", ts_rank_cd(c.${parts.fullText}, ${query}) as "score" from ${parts.table} c
        where c.${parts.fullText} @@ ${query} and ${matchesWords(query)} and ${parts.where} order by "score" desc, c.${parts.id} limit ${candidates}
      ) as matching
    ), "polystore_fused" as (
      select coalesce(v."id", t."id") as "id",
        coalesce(${vectorWeight} / (${k} + v."rank"), 0) + coalesce(${textWeight} / (${k} + t."rank"), 0) as "fused",
        v."rank" as "vector_rank", v."distance", t."rank" as "text_rank", t."score" as "text_score"
      from "polystore_vector_side" v full join "polystore_text_side" t on v."id" = t."id"
    ), "polystore_best" as (
      -- A hit only a side of weight 0 found has no score: it is not a result.
      select * from "polystore_fused" where "fused" > 0 order by "fused" desc, "id" limit $${params.push(parts.topK)}
    )
    select ${parts.qualifiedList}, f."fused", f."vector_rank", f."distance", f."text_rank", f."text_score"
    from "polystore_best" f join ${parts.table} c on c.${parts.id} = f."id" order by f."fused" desc, f."id"`;
}

/**
 * Text of excluded words only (`-draft`) parses to a query every record without them matches, all ranked 0:
 * like text of stop words only, it matches nothing. querytree() of such a query is 'T' (it needs no word).
 */
const matchesWords = (query: string) => `querytree(${query}) <> 'T'`;

/** The query text as a tsquery; its two parameters are bound once and used wherever it appears. */
function tsquery(parts: KeywordSearchParts): string {
  const language = `$${parts.params.push(parts.language)}::regconfig`;
  return `websearch_to_tsquery(${language}, $${parts.params.push(parts.text)})`;
}
