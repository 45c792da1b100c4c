import type { Connection } from '../postgres/connection.js';

/** Writes a vector in pgvector's text form, `[x,y,…]`, each element the float32 the column will hold. */
export type VectorLiteral = (vector: ArrayLike<number>) => string;

/**
 * Decimal: each element rounded to float32 first, then written with the 9 significant digits that name
 * that float32 exactly. Writing the double instead (17 digits) is slower to parse, and a double lying
 * on a float32 midpoint can then round to the other neighbour: the stored value would differ from
 * Math.fround and from what Milvus stores.
 */
export const decimalLiteral: VectorLiteral = (vector) => {
  const floats = Float32Array.from(vector);
  const elements = new Array<string>(floats.length);
  for (let i = 0; i < floats.length; i++) elements[i] = floats[i].toPrecision(9);
  return `[${elements.join(',')}]`;
};

// Hexadecimal float parts, built once: 12-bit mantissa halves, and exponents by their biased value.
const HEX3 = Array.from({ length: 4096 }, (_, i) => i.toString(16).padStart(3, '0'));
const EXPONENT = Array.from({ length: 256 }, (_, e) => `p${e - 127}`);

/**
 * Hexadecimal: C99's `0x1.<mantissa>p<exponent>`, which pgvector's parser (C's strtof) reads about twice
 * as fast as decimal, because it needs no rounding: the text is the float32's bits. Exact by construction.
 */
export const hexLiteral: VectorLiteral = (vector) => {
  const floats = Float32Array.from(vector);
  const bits = new Uint32Array(floats.buffer);
  // Joined, not concatenated: a string built with += is a rope that costs more to flatten than to build.
  const elements = new Array<string>(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const word = bits[i];
    const exponent = (word >>> 23) & 0xff;
    const mantissa = (word & 0x7fffff) << 1; // 24 bits: six hexadecimal digits
    const sign = word >>> 31 === 1 ? '-' : '';
    elements[i] =
      exponent === 0
        ? mantissa === 0 ? `${sign}0` : `${sign}0x0.${HEX3[mantissa >>> 12]}${HEX3[mantissa & 0xfff]}p-126` // subnormal
        : `${sign}0x1.${HEX3[mantissa >>> 12]}${HEX3[mantissa & 0xfff]}${EXPONENT[exponent]}`;
  }
  return `[${elements.join(',')}]`;
};

/**
 * Hexadecimal when this server's pgvector reads it (C's strtof does, on every platform PostgreSQL runs
 * on, but pgvector does not promise it), decimal otherwise. Asked once per createPolystore().
 */
export async function probeVectorLiteral(connection: Pick<Connection<never>, 'execute'>): Promise<VectorLiteral> {
  try {
    // A normal, a negative and a subnormal element, read back in pgvector's shortest decimal form.
    const [[[text]]] = await connection.execute([{ sql: 'SELECT $1::vector::text', params: [hexLiteral([3, -0.15625, 1e-40])] }]);
    return text === '[3,-0.15625,1e-40]' ? hexLiteral : decimalLiteral;
  } catch (error) {
    // invalid_text_representation: this parser takes decimal only. Anything else (the connection) is the caller's.
    if ((error as { code?: string }).code === '22P02') return decimalLiteral;
    throw error;
  }
}
