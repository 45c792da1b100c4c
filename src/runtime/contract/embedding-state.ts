/** What a database records of a collection's embeddings, and what a re-embed reads and writes through its backend. */
import { PolystoreError } from '../../errors.js';
import type { GenerationDescriptor } from './vector-store.js';

/** A re-embed of a collection whose schema says not what text its vectors are made of. */
export const noTextSource = (collection: string) => new PolystoreError('EMBEDDING_NO_SOURCE', `"${collection}" declares no embedding.from: a re-embed needs the text each vector is made of`);

export type RecordedGeneration = Pick<GenerationDescriptor, 'column' | 'model' | 'dimension' | 'storage'>;

/** A re-embed's progress, kept in the database: a run killed midway resumes after `cursor`. */
export interface ReembedProgress {
  /** The generation being filled. */
  column: string;
  model: string;
  /** The last id filled in key order; absent before the first page. */
  cursor?: string | undefined;
  done: number;
  total: number;
  startedAt: string;
  updatedAt: string;
  /** Set when a run went through every record and found none missing. */
  finishedAt?: string | undefined;
}

export interface EmbeddingState {
  /** The column (Milvus: generation) that reads use. */
  active: string;
  /** The generations the database holds. */
  generations: RecordedGeneration[];
  /** Raised by every change of the record: a write made under an earlier one is made again. */
  version: number;
  reembed?: ReembedProgress | undefined;
}

/** A record a generation lacks the vector of: its id (Milvus: primary key too) and the text to embed. */
export interface MissingVector {
  id: string;
  key: string;
  text: string;
}

/** One collection's record of embeddings and a re-embed's reads and writes, on one backend. */
export interface EmbeddingGenerations {
  read(): Promise<EmbeddingState | undefined>;
  /** By `migrate`: the generations the schema knows and the database holds; the first recorded is active. */
  record(): Promise<EmbeddingState>;
  /** Makes `column` the active generation, at once, when every record has its vector; else resolves to how many lack one. */
  activate(column: string, expectedVersion: number): Promise<{ missing: number }>;
  /** Drops every generation but the active one (`--finalize`). */
  dropInactive(expectedVersion: number): Promise<string[]>;
  saveProgress(progress: ReembedProgress | undefined): Promise<void>;
  /** Up to `limit` records after `after` (in key order) that `column` lacks a vector of, or holds one made from other text. */
  missing(column: string, after: string | undefined, limit: number): Promise<MissingVector[]>;
  /** Writes the vectors of records whose text is still what was embedded, and that `column` still lacks; resolves to how many. */
  fill(column: string, rows: ReadonlyArray<MissingVector & { vector: number[] }>): Promise<number>;
  /** Records `column` lacks a vector of, and all records. */
  count(column: string): Promise<{ missing: number; total: number }>;
}
