/**
 * Real prose for the keyword benchmark: the Markdown documentation of the npm packages this repository installs
 * (pinned by the lockfile, so the same on every machine), split into paragraphs and, at sentence ends, into chunks
 * of at most 400 characters, as RAG pipelines chunk documents; tables and code-only lines are left out.
 * Embeddings come from no model (none is installed here): feature hashing, the sum of a fixed random 128-d vector
 * per word, normalized, so that chunks sharing words lie close together, as with real embeddings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { random, randomVector } from '../test/helpers/vectors.js';

export const DIMENSION = 128;
const MAX_CHUNK = 400;

function markdownFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) markdownFiles(path, found);
    else if (/\.md$/i.test(entry.name)) found.push(path);
  }
  return found;
}

/** Every distinct chunk, in a stable order. */
export function proseChunks(): string[] {
  const chunks = new Set<string>();
  for (const file of markdownFiles(fileURLToPath(new URL('../node_modules', import.meta.url))).sort()) {
    for (const paragraph of readFileSync(file, 'utf8').split(/\n\s*\n/)) {
      const text = paragraph.replace(/\s+/g, ' ').trim();
      if (text.length < 80 || text.startsWith('|') || !/[a-z]{3,} [a-z]{3,} [a-z]{3,}/.test(text)) continue;
      let chunk = '';
      for (const sentence of text.split(/(?<=[.!?]) /)) {
        if (chunk && chunk.length + sentence.length > MAX_CHUNK) {
          chunks.add(chunk);
          chunk = '';
        }
        chunk = chunk ? `${chunk} ${sentence}` : sentence;
      }
      if (chunk.length >= 40) chunks.add(chunk);
    }
  }
  return [...chunks];
}

const wordVectors = new Map<string, number[]>();
const seedOf = (word: string) => [...word].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 16777619), 2166136261);

/** A text's hashed embedding: words of 2 letters or more, lowercased. */
export function embed(text: string): number[] {
  const sum = new Array<number>(DIMENSION).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]{2,}/g) ?? ['empty']) {
    let vector = wordVectors.get(word);
    if (!vector) wordVectors.set(word, (vector = randomVector(random(seedOf(word)), DIMENSION)));
    for (let i = 0; i < DIMENSION; i++) sum[i] += vector[i];
  }
  const norm = Math.hypot(...sum) || 1;
  return sum.map((x) => x / norm);
}
