/**
 * drizzle/meta/polystore_embeddings.json: the embedding models each collection's vectors were made with, in the
 * order the schema named them. `polystore generate` keeps it (a change of model adds a generation, with a vector
 * column of its own) and `polystore vectors reembed --finalize` marks the generations it dropped; the generator
 * reads it back, since neither the schema nor drizzle-kit's snapshots remember a model.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolystoreError } from '../errors.js';

export interface EmbeddingGeneration {
  /** The vector column on PostgreSQL; on Milvus it names the generation's collection (see milvusCollectionOf). */
  column: string;
  model: string;
  dimension: number;
  storage: 'vector' | 'halfvec';
  /** Dropped by `--finalize`: the next `polystore generate` removes its column from drizzle/. */
  dropped?: true;
}

export type EmbeddingGenerations = Record<string, EmbeddingGeneration[]>;

export const GENERATIONS_FILE = 'meta/polystore_embeddings.json';

/** The first generation's column is every collection's vector column before models were recorded. */
export const FIRST_VECTOR_COLUMN = 'embedding';

export function readGenerations(drizzleDir: string): EmbeddingGenerations {
  const path = join(drizzleDir, GENERATIONS_FILE);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EmbeddingGenerations;
  } catch (error) {
    throw new PolystoreError('GENERATIONS_UNREADABLE', `${path}: ${(error as Error).message}`, { cause: error });
  }
}

export const generationsText = (generations: EmbeddingGenerations) => `${JSON.stringify(generations, null, 2)}\n`;

export function writeGenerations(drizzleDir: string, generations: EmbeddingGenerations): void {
  writeFileSync(join(drizzleDir, GENERATIONS_FILE), generationsText(generations));
}

/** A generation's collection on Milvus (which cannot add a vector field to a collection): the first keeps the collection's name. */
export const milvusCollectionOf = (collection: string, column: string) => (column === FIRST_VECTOR_COLUMN ? collection : `${collection}_${column}`);
