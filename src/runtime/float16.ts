/** The largest finite float16, the element type of pgvector's halfvec. */
export const FLOAT16_MAX = 65_504;

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
