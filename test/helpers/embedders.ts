/**
 * Deterministic embedding models for the tests: hashed word features, a function of the text alone (the
 * application's embedder stands here, never a database). Two seeds are two models: their spaces differ.
 */
import { createHash } from 'node:crypto';

export function hashedEmbedding(text: string, dimension: number, seed: string): number[] {
  const vector = new Array<number>(dimension).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of [...words, `\u0000${text.length}`]) {
    const digest = createHash('sha256').update(seed).update(word).digest();
    vector[digest.readUInt32BE(0) % dimension] += digest[4] & 1 ? 1 : -1;
    vector[digest.readUInt32BE(5) % dimension] += 0.5;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((x) => x / norm);
}

/** An embedder `(texts) => vectors` of a model, counting its calls and texts. */
export function hashedEmbedder(dimension: number, seed: string) {
  const stats = { calls: 0, texts: 0 };
  const embed = async (texts: string[]) => {
    stats.calls += 1;
    stats.texts += texts.length;
    return texts.map((text) => hashedEmbedding(text, dimension, seed));
  };
  return Object.assign(embed, { stats });
}
