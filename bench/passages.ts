/**
 * The vector benchmarks' shared data: BENCH_N (5,000) seeded random 128-dimensional passages with
 * `bucket` = i mod 50 (one bucket is 2% of the rows), BENCH_Q (200) query vectors, written in calls of 500.
 */
import { randomUUID } from 'node:crypto';
import { random, randomVector } from '../test/helpers/vectors.js';

export const N = Number(process.env.BENCH_N ?? 5_000);
export const Q = Number(process.env.BENCH_Q ?? 200);
export const DIMENSION = 128;
export const BUCKETS = 50;
export const FILTER_BUCKET = 7;
export const CHUNK = 500;
export const K = 10;

const next = random(1234);
export const rows = Array.from({ length: N }, (_, i) => ({ id: randomUUID() as string, bucket: i % BUCKETS, content: `passage ${i}`, embedding: randomVector(next, DIMENSION) }));
export const queries = Array.from({ length: Q }, () => randomVector(next, DIMENSION));

export const percentile = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
