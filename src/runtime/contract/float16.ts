/** The largest finite float16, the element type of pgvector's halfvec. */
export const FLOAT16_MAX = 65_504;

/**
 * The element type a collection's vectors are stored as, by its storage: pgvector's vector (and Milvus) hold
 * float32, halfvec float16. `round` gives the value an element is stored as.
 */
export const VECTOR_ELEMENT = {
  vector: { name: 'float32', max: 3.4028234663852886e38, round: Math.fround },
  halfvec: { name: 'float16', max: FLOAT16_MAX, round: float16Round },
} as const;

/**
 * The float16 nearest to a number's float32 (ties to even), as pgvector stores a halfvec element: polystore
 * sends float32 text, which pgvector then rounds to half precision. Node 20 has no Math.f16round.
 */
export function float16Round(x: number): number {
  const value = Math.fround(x);
  const magnitude = Math.abs(value);
  if (magnitude === 0 || !Number.isFinite(magnitude)) return value;
  // Spacing of float16 values near `magnitude`: 2^-24 among subnormals (below 2^-14), else 2^(exponent - 10).
  const spacing = magnitude < 2 ** -14 ? 2 ** -24 : 2 ** (Math.floor(Math.log2(magnitude)) - 10);
  const steps = magnitude / spacing; // exact: spacing is a power of two
  const floor = Math.floor(steps);
  const rest = steps - floor;
  const rounded = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return Math.sign(value) * rounded * spacing;
}

/** The IEEE 754 half-precision bits of float16Round(x): pgvector's binary halfvec element. */
export function float16Bits(x: number): number {
  const value = float16Round(x);
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === 0) return sign;
  if (magnitude < 2 ** -14) return sign | (magnitude / 2 ** -24); // subnormal: the mantissa alone
  const exponent = Math.floor(Math.log2(magnitude));
  return sign | ((exponent + 15) << 10) | ((magnitude / 2 ** exponent - 1) * 1024);
}
