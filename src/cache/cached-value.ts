/**
 * What a cached read returns, as text and back. Each caller gets objects of its own (a hit never hands out an
 * object another caller may change), with the schema's datetime fields as Dates again. Text that is not what
 * polystore wrote (another program's key, a truncated value) reads as undefined: a miss.
 */
import type { VectorCollectionDescriptor } from '../runtime/vector-store.js';

const VERSION = 1;

export type CachedOperation = 'search' | 'get' | 'count';

export const encodeValue = (value: unknown): string => JSON.stringify({ v: VERSION, d: value });

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isRecord = (value: unknown): value is Record<string, unknown> => isObject(value) && typeof value.id === 'string';

export function valueDecoder(descriptor: Pick<VectorCollectionDescriptor, 'fields'>) {
  const dates = descriptor.fields.filter((field) => field.kind === 'datetime').map((field) => field.name);
  const revive = (record: Record<string, unknown>) => {
    for (const name of dates) {
      const value = record[name];
      if (typeof value !== 'string') continue;
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) return false;
      record[name] = date;
    }
    return true;
  };
  return (operation: CachedOperation, text: string): unknown => {
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!isObject(envelope) || envelope.v !== VERSION) return undefined;
    const value = envelope.d;
    if (operation === 'count') return Number.isSafeInteger(value) && (value as number) >= 0 ? value : undefined;
    if (!Array.isArray(value)) return undefined;
    const records = operation === 'search' ? value.map((hit) => (isObject(hit) && typeof hit.id === 'string' && typeof hit.score === 'number' ? hit.record : undefined)) : value;
    return records.every((record) => isRecord(record) && revive(record)) ? value : undefined;
  };
}
