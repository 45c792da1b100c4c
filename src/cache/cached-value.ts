/**
 * What a cached read returns, as text with the generations it was read under, and back. Each caller gets objects
 * of its own (a hit never hands out an object another caller may change), with the schema's datetime fields as
 * Dates again. An entry of other generations is a miss; text that is not what polystore wrote (another program's
 * key, a truncated value) is `GARBLED`.
 */
import type { VectorCollectionDescriptor } from '../runtime/vector-store.js';

const VERSION = 1;

export type CachedOperation = 'search' | 'get' | 'count';

export const GARBLED = Symbol('garbled');

export const encodeValue = (value: unknown, generations: readonly string[]): string => JSON.stringify({ v: VERSION, g: generations, d: value });

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
  /** The value, undefined for an entry of other generations, GARBLED for text polystore did not write. */
  return (operation: CachedOperation, text: string, generations: readonly string[]): unknown => {
    let envelope: unknown;
    try {
      envelope = JSON.parse(text);
    } catch {
      return GARBLED;
    }
    if (!isObject(envelope) || envelope.v !== VERSION || !Array.isArray(envelope.g)) return GARBLED;
    if (envelope.g.length !== generations.length || envelope.g.some((generation, i) => generation !== generations[i])) return undefined;
    const value = envelope.d;
    if (operation === 'count') return Number.isSafeInteger(value) && (value as number) >= 0 ? value : GARBLED;
    if (!Array.isArray(value)) return GARBLED;
    const records = operation === 'search' ? value.map((hit) => (isObject(hit) && typeof hit.id === 'string' && typeof hit.score === 'number' ? hit.record : undefined)) : value;
    return records.every((record) => isRecord(record) && revive(record)) ? value : GARBLED;
  };
}
