import type { VectorCollectionDescriptor } from '../contract/vector-store.js';

/** The collection as Milvus holds its values: it caps every VarChar, so a string without a schema limit is held to the spec's max_length. */
export function withMilvusLimits(descriptor: VectorCollectionDescriptor): VectorCollectionDescriptor {
  const maxLengths = new Map(descriptor.milvus.fields.map((field) => [field.name, field.max_length]));
  return { ...descriptor, fields: descriptor.fields.map((field) => ({ ...field, maxLength: field.maxLength ?? maxLengths.get(field.column) })) };
}
