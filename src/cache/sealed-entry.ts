/**
 * A cache entry's text: the value with the generations it was read under. Reading one gives the value only under
 * the same generations (undefined otherwise: a miss), and GARBLED for text polystore did not write (another
 * program's key, a truncated value). Shared by the vector answers and the documents.
 */
const VERSION = 1;

export const GARBLED = Symbol('garbled');

// JSON.stringify calls it with the holder of `key` as `this`.
type Replacer = (this: Record<string, unknown>, key: string, value: unknown) => unknown;

export const seal = (value: unknown, generations: readonly string[], replacer?: Replacer): string => JSON.stringify({ v: VERSION, g: generations, d: value }, replacer);

export function unseal(text: string, generations: readonly string[], reviver?: (key: string, value: unknown) => unknown): unknown {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text, reviver);
  } catch {
    return GARBLED;
  }
  if (typeof envelope !== 'object' || envelope === null) return GARBLED;
  const { v, g, d } = envelope as { v?: unknown; g?: unknown; d?: unknown };
  if (v !== VERSION || !Array.isArray(g)) return GARBLED;
  return g.length === generations.length && g.every((generation, i) => generation === generations[i]) ? d : undefined;
}
