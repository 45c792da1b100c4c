/**
 * What a cached read returns, as a sealed entry and back, with the schema's datetime fields as Dates again and
 * its shape checked: anything else under polystore's key is GARBLED.
 */
import { GARBLED, unseal } from './sealed-entry.js';
import type { VectorCollectionDescriptor } from '../runtime/contract/vector-store.js';

export type CachedOperation = 'search' | 'get' | 'count';

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
    const value = unseal(text, generations);
    if (value === GARBLED || value === undefined) return value;
    if (operation === 'count') return Number.isSafeInteger(value) && (value as number) >= 0 ? value : GARBLED;
    if (!Array.isArray(value)) return GARBLED;
    const records = operation === 'search' ? value.map((hit) => (isRecord(hit) && typeof hit.score === 'number' ? hit.record : undefined)) : value;
    return records.every((record) => isRecord(record) && revive(record)) ? value : GARBLED;
  };
}
