import type { VectorCollectionDescriptor } from './contract/vector-store.js';

/**
 * A collection as one generation of its embeddings sees it: that generation's dimension and storage, and on
 * Milvus its own collection (whose vector field has that dimension); everything else the schema's.
 */
export function generationView(descriptor: VectorCollectionDescriptor, column: string): VectorCollectionDescriptor {
  const generation = descriptor.embedding?.generations.find((candidate) => candidate.column === column);
  if (!generation) throw new Error(`internal: "${descriptor.name}" has no generation in "${column}"`);
  const fields = descriptor.milvus.fields.map((field) => (field.name === 'embedding' ? { ...field, dim: generation.dimension } : field));
  return { ...descriptor, dimension: generation.dimension, storage: generation.storage, milvus: { ...descriptor.milvus, collection_name: generation.milvusCollection, fields } };
}

/** The generation of the schema's own model (its dimension and storage are the descriptor's). */
export function schemaGeneration(descriptor: VectorCollectionDescriptor) {
  const embedding = descriptor.embedding!;
  const same = (generation: (typeof embedding.generations)[number]) => generation.model === embedding.model && generation.dimension === descriptor.dimension && generation.storage === descriptor.storage;
  return embedding.generations.find(same) ?? embedding.generations.at(-1)!;
}
