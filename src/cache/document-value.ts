/**
 * A Prisma document as a sealed entry and back: JSON with Dates, byte arrays and BigInts tagged, so that a hit
 * returns what Prisma returned (documents have no descriptor to revive fields by).
 */
import { GARBLED, seal, unseal } from './sealed-entry.js';

function tag(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.toISOString() };
  if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
  if (typeof raw === 'bigint') return { $bigint: raw.toString() };
  return value;
}

function untag(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  if (keys.length !== 1) return value;
  const tagged = value as Record<string, unknown>;
  if (typeof tagged.$date === 'string') return new Date(tagged.$date);
  if (typeof tagged.$bytes === 'string') return Buffer.from(tagged.$bytes, 'base64');
  if (typeof tagged.$bigint === 'string') return BigInt(tagged.$bigint);
  return value;
}

export const encodeDocument = (value: unknown, generations: readonly string[]): string => seal(value, generations, tag);

/** The document (or null), undefined for an entry of other generations, GARBLED for text polystore did not write. */
export function decodeDocument(text: string, generations: readonly string[]): unknown {
  const value = unseal(text, generations, untag);
  return value === undefined || typeof value === 'object' ? value : GARBLED;
}
