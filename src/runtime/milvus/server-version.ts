import type { MilvusConnection } from './milvus-connection.js';
import type { MilvusCollectionSpec } from '../contract/milvus-spec.js';
import { PolystoreError } from '../../errors.js';

/** The server's version (`v2.3.5-lite`, `milvus_lite-3.2.2`…). The SDK's type leaves out the status the response carries. */
export async function serverVersion(milvus: MilvusConnection, operation: string, collection?: string): Promise<string> {
  const response = await milvus.call(operation, (client) => client.getVersion() as Promise<{ version: string; status: { error_code: string; reason: string } }>, collection);
  return response.version;
}

/** What a generated spec may need, and the first Milvus release that has it. */
const FEATURES: Array<{ what: string; since: [number, number]; needed: (spec: MilvusCollectionSpec) => boolean }> = [
  { what: 'nullable fields (the schema’s optional fields)', since: [2, 5], needed: (spec) => spec.fields.some((field) => field.nullable) },
  { what: 'BM25 functions (keyword search: the schema’s fullText)', since: [2, 5], needed: (spec) => (spec.functions ?? []).length > 0 },
  { what: 'INVERTED scalar indexes (the schema’s indexed fields)', since: [2, 4], needed: (spec) => spec.indexes.some((index) => index.index_type === 'INVERTED') },
];

/**
 * Refuses a server too old for the spec before anything is created, naming the version and what needs more,
 * rather than creating a collection and then refusing it as SCHEMA_MISMATCH. Versions it cannot read (Milvus
 * Lite's `milvus_lite-3.2.2`, managed services' names) are not refused.
 */
export function checkServerVersion(version: string, spec: MilvusCollectionSpec): void {
  const match = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!match) return;
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const missing = FEATURES.filter(({ since, needed }) => needed(spec) && (major < since[0] || (major === since[0] && minor < since[1])));
  if (missing.length === 0) return;
  throw new PolystoreError(
    'MILVUS_VERSION_UNSUPPORTED',
    `Milvus ${version} cannot hold collection "${spec.collection_name}": ${missing.map(({ what, since }) => `${what} need Milvus ${since.join('.')}`).join('; ')}. Upgrade the server.`,
  );
}
