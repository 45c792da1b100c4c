import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decimalLiteral, hexLiteral, probeVectorLiteral } from '../src/runtime/pgvector/vector-literal.js';
import { random } from './helpers/vectors.js';

// Doubles of every kind: random ones, exact float32 midpoints (ties), subnormals, powers of two, the extremes.
const next = random(99);
const doubles = [
  ...Array.from({ length: 2_000 }, () => (next() * 2 - 1) * 10 ** Math.floor(next() * 20 - 10)),
  ...Array.from({ length: 500 }, () => {
    const f = Math.fround(next() * 2 - 1);
    return f + Math.abs(f) * 2 ** -24; // on (or next to) the midpoint above f
  }),
  1e-40, -1e-45, 2 ** -149, 2 ** -126, 2 ** 127, 3.4028234663852886e38, -3.4028234663852886e38, 0, 1, -1, 0.1, 1 + 2 ** -24,
];

describe('vector text: each element reaches pgvector as Math.fround of it', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite({ extensions: { vector } });
    await pg.exec('CREATE EXTENSION vector');
  });
  afterAll(() => pg.close());

  /** What pgvector stored, read back as float4 text: the shortest decimal that Math.fround takes back to it. */
  const stored = async (literal: string) => (await pg.query<{ v: number[] }>('SELECT $1::vector::real[] AS v', [literal])).rows[0].v.map(Math.fround);

  it.each([
    ['hexadecimal', hexLiteral],
    ['decimal', decimalLiteral],
  ])('%s', async (_, literal) => {
    for (let i = 0; i < doubles.length; i += 500) {
      const chunk = doubles.slice(i, i + 500);
      expect(await stored(literal(chunk))).toEqual(chunk.map(Math.fround));
    }
  });

  it('the probe finds PGlite reading hexadecimal', async () => {
    const connection = { execute: async ([statement]: Array<{ sql: string; params: unknown[] }>) => [(await pg.query<unknown[]>(statement.sql, statement.params, { rowMode: 'array' })).rows] };
    expect(await probeVectorLiteral(connection)).toBe(hexLiteral);
  });
});
