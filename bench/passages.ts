/**
 * The vector benchmarks' shared data: BENCH_N (5,000) seeded random 128-dimensional passages with
 * `bucket` = i mod 50 (one bucket is 2% of the rows), BENCH_Q (200) query vectors, written in calls of 500;
 * and BENCH_LATER_N (1,000) more passages, written once the ANN index exists.
 */
import { randomUUID } from 'node:crypto';
import { random, randomVector } from '../test/helpers/vectors.js';

export const N = Number(process.env.BENCH_N ?? 5_000);
export const LATER_N = Number(process.env.BENCH_LATER_N ?? 1_000);
export const Q = Number(process.env.BENCH_Q ?? 200);
export const DIMENSION = 128;
export const BUCKETS = 50;
export const FILTER_BUCKET = 7;
export const CHUNK = 500;
export const K = 10;

const next = random(1234);
const passage = (i: number) => ({ id: randomUUID() as string, bucket: i % BUCKETS, content: `passage ${i}`, embedding: randomVector(next, DIMENSION) });
export const rows = Array.from({ length: N }, (_, i) => passage(i));
export const queries = Array.from({ length: Q }, () => randomVector(next, DIMENSION));
export const laterRows = Array.from({ length: LATER_N }, (_, i) => passage(N + i));

export const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
