/**
 * Checks every value before a backend sees it, so that a bad call writes
 * nothing and fails the same way on pgvector and on Milvus.
 */
import { DOCUMENT_ID } from '../contract/document-link.js';
import { VECTOR_ELEMENT } from '../contract/float16.js';
import { DATE_RANGE, INT_RANGE, MAX_ID_LENGTH, MAX_JSON_DEPTH, MAX_QUERY_TEXT, MAX_RECORDS_PER_CALL, MAX_TOP_K } from '../contract/limits.js';
import { MAX_TIMER_MS } from '../contract/options.js';
import type { ReadOptions, VectorCollectionDescriptor, WriteOptions } from '../contract/vector-store.js';
import { MAX_CANDIDATES } from '../search/search-breadth.js';
import { type InputIssue, InvalidInputError } from '../../errors.js';

type Path = Array<string | number>;
type Field = VectorCollectionDescriptor['fields'][number];
const MAX_ISSUES = 100;

export class InputIssues {
  readonly issues: InputIssue[] = [];
  add(code: string, path: Path, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ code, path, message });
  }
  throwIfAny(operation: string): void {
    if (this.issues.length > 0) throw new InvalidInputError(operation, this.issues);
  }
}

/** PostgreSQL's text and jsonb cannot hold U+0000, so no backend accepts it. */
const hasNul = (value: string) => value.includes('\0');
/**
 * A lone UTF-16 surrogate is no character: PostgreSQL would store U+FFFD instead (two ids then collide) and
 * Milvus fails on it. Node 20 has String.prototype.isWellFormed; TypeScript's ES2023 library does not declare it.
 */
const isWellFormed = (value: string) => (value as string & { isWellFormed(): boolean }).isWellFormed();

function checkString(issues: InputIssues, value: unknown, path: Path, maxBytes?: number): void {
  if (typeof value !== 'string') return issues.add('INVALID_VALUE', path, `expected a string, got ${describe(value)}`);
  if (hasNul(value)) issues.add('INVALID_VALUE', path, 'strings cannot contain NUL (U+0000): PostgreSQL cannot store it');
  else if (!isWellFormed(value)) issues.add('INVALID_VALUE', path, 'the string holds a lone UTF-16 surrogate (half of a character), which no backend can store');
  else if (maxBytes !== undefined && Buffer.byteLength(value) > maxBytes) issues.add('VALUE_TOO_LONG', path, `longer than ${maxBytes} bytes`);
}

function checkId(issues: InputIssues, value: unknown, path: Path): void {
  if (typeof value !== 'string' || value.length === 0) return issues.add('INVALID_ID', path, `id must be a non-empty string, got ${describe(value)}`);
  checkString(issues, value, path, MAX_ID_LENGTH);
}

/**
 * A vector the collection can store: float32 elements, or float16 for a halfvec collection (a larger magnitude
 * would overflow: pgvector refuses it, Milvus would keep Infinity). A cosine collection refuses a vector that
 * is zero once stored: it has no direction, and its similarity to anything is NaN.
 */
export function checkVector(issues: InputIssues, value: unknown, descriptor: VectorCollectionDescriptor, path: Path): void {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) return issues.add('INVALID_VECTOR', path, `expected an array of numbers, got ${describe(value)}`);
  const vector = value as ArrayLike<unknown>;
  if (vector.length === 0) return issues.add('EMPTY_VECTOR', path, 'the vector is empty');
  if (vector.length !== descriptor.dimension) return issues.add('DIMENSION_MISMATCH', path, `expected ${descriptor.dimension} dimensions, got ${vector.length}`);
  const element = VECTOR_ELEMENT[descriptor.storage];
  // pgvector's cosine sums squares in float32: a norm that underflows to 0 or overflows leaves no direction either.
  let norm = 0;
  let zero = true;
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return issues.add('INVALID_VECTOR', [...path, i], `expected a finite number, got ${describe(x)}`);
    if (Math.abs(x) > element.max) return issues.add('INVALID_VECTOR', [...path, i], `${x} is outside the ${element.name} range (±${element.max}) of this collection's vectors`);
    const stored = element.round(x);
    if (stored !== 0) zero = false;
    norm = Math.fround(norm + Math.fround(stored * stored));
  }
  if (descriptor.metric !== 'cosine') return;
  if (zero) issues.add('INVALID_VECTOR', path, `a zero vector${element.name === 'float16' ? ' (every element rounds to 0 in float16)' : ''} has no direction: its cosine similarity is undefined`);
  else if (norm === 0 || !Number.isFinite(norm)) issues.add('INVALID_VECTOR', path, `the vector's squared length ${norm === 0 ? 'underflows' : 'overflows'} float32: its cosine similarity is undefined; scale it`);
}

export function checkFieldValue(issues: InputIssues, field: Field, value: unknown, path: Path): void {
  if (value === null || value === undefined) {
    if (!field.optional) issues.add('MISSING_FIELD', path, `"${field.name}" is required`);
    return;
  }
  switch (field.kind) {
    case 'string':
      if (field.link && (typeof value !== 'string' || !DOCUMENT_ID.test(value))) return issues.add('INVALID_VALUE', path, `expected the id of a ${field.link.model} document (24 lowercase hex digits, an ObjectId), got ${describe(value)}`);
      return checkString(issues, value, path, field.maxLength);
    case 'enum':
      if (!field.values!.includes(value as string)) issues.add('INVALID_VALUE', path, `expected one of ${field.values!.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`);
      return;
    case 'int':
      if (!Number.isInteger(value) || (value as number) < INT_RANGE[0] || (value as number) > INT_RANGE[1]) issues.add('INVALID_VALUE', path, `expected a 32-bit integer, got ${describe(value)}`);
      return;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) issues.add('INVALID_VALUE', path, `expected a finite number, got ${describe(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') issues.add('INVALID_VALUE', path, `expected a boolean, got ${describe(value)}`);
      return;
    case 'datetime':
      if (!(value instanceof Date) || Number.isNaN(value.getTime())) issues.add('INVALID_VALUE', path, `expected a valid Date, got ${describe(value)}`);
      // ISO 8601 text (how PostgreSQL receives a Date) has four-digit years; Milvus keeps milliseconds, which copy back only within the same range.
      else if (value.getTime() < DATE_RANGE[0].getTime() || value.getTime() > DATE_RANGE[1].getTime()) {
        issues.add('INVALID_VALUE', path, `${value.toISOString()} is outside the years 0001–9999 (UTC) that every backend stores`);
      }
      return;
    case 'json':
      // At the top, an object or an array: a bare string, number or boolean reads back differently on each backend
      // (PostgreSQL's jsonb parses a string's text; Milvus Lite refuses numbers and booleans).
      if (!isPlainObject(value) && !Array.isArray(value)) return issues.add('INVALID_VALUE', path, `a JSON field holds an object or an array, got ${describe(value)}`);
      return checkJsonValue(issues, value, path);
  }
}

/**
 * Any JSON value, nested at most MAX_JSON_DEPTH levels (deeper ones overflow Milvus's parser and, cyclic, every
 * stack); arrays without empty slots, which JSON would turn into null.
 */
export function checkJsonValue(issues: InputIssues, value: unknown, path: Path, depth = 0): void {
  if (typeof value === 'string') return checkString(issues, value, path);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) issues.add('INVALID_VALUE', path, `JSON cannot hold ${value}`);
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (depth >= MAX_JSON_DEPTH && typeof value === 'object') return issues.add('INVALID_VALUE', path, `JSON nests at most ${MAX_JSON_DEPTH} levels deep (or holds itself)`);
  if (Array.isArray(value)) {
    return void Array.from(value, (item: unknown, i) =>
      i in value ? checkJsonValue(issues, item, [...path, i], depth + 1) : issues.add('INVALID_VALUE', [...path, i], 'an array with an empty slot: JSON would store null there'),
    );
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (hasNul(key) || !isWellFormed(key)) issues.add('INVALID_VALUE', [...path, key], 'JSON keys cannot contain NUL (U+0000) or a lone UTF-16 surrogate');
      checkJsonValue(issues, item, [...path, key], depth + 1);
    }
    return;
  }
  issues.add('INVALID_VALUE', path, `expected a JSON value, got ${describe(value)}`);
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

const RECORD_KEYS = new Set(['id', 'embedding']);
const SEARCH_KEYS = new Set(['vector', 'text', 'query', 'topK', 'where', 'minScore', 'includeVector', 'candidates', 'fusion', 'consistency', 'cache', 'signal', 'timeoutMs']);
const READ_OPTION_KEYS = ['consistency', 'cache', 'signal', 'timeoutMs'];

/**
 * Of a collection declared with `embedding.from`: its model, and whether an embedder of it was given. A record
 * may then come without a vector, and a search with `query` text, when there is one.
 */
export interface Embeds {
  model: string;
  embedder: boolean;
}

const noEmbedder = (embeds: Embeds | undefined, what: string) =>
  embeds
    ? `${what}, and there is no embedder of ${JSON.stringify(embeds.model)} to make one: pass createPolystore({ embedders: { <collection>: … } })`
    : `${what}: only a collection declared with embedding.from embeds text`;
const CONSISTENCY = ['primary', 'replica'];

/** Checks records for insert or upsert; throws InvalidInputError listing every problem. */
export function validateRecords(descriptor: VectorCollectionDescriptor, records: unknown, operation: string, embeds?: Embeds): asserts records is Array<Record<string, unknown>> {
  const issues = new InputIssues();
  if (!Array.isArray(records)) {
    issues.add('INVALID_INPUT', ['records'], `expected an array of records, got ${describe(records)}`);
    return issues.throwIfAny(operation);
  }
  if (records.length > MAX_RECORDS_PER_CALL) {
    issues.add('BATCH_TOO_LARGE', ['records'], `${records.length} records in one call; the maximum is ${MAX_RECORDS_PER_CALL}: split the batch`);
    return issues.throwIfAny(operation);
  }
  const seen = new Map<unknown, number>();
  // Array.from visits empty slots (`[rec, , rec]`), which forEach would skip.
  Array.from(records, (record: unknown, i) => {
    const path = ['records', i];
    if (typeof record !== 'object' || record === null) return issues.add('INVALID_INPUT', path, `expected a record, got ${describe(record)}${i in records ? '' : ' (an empty slot)'}`);
    const values = record as Record<string, unknown>;
    checkId(issues, values.id, [...path, 'id']);
    const first = seen.get(values.id);
    if (first !== undefined) issues.add('DUPLICATE_ID', [...path, 'id'], `id ${JSON.stringify(values.id)} also appears at records.${first}`);
    else seen.set(values.id, i);
    if (values.embedding !== undefined || !embeds) checkVector(issues, values.embedding, descriptor, [...path, 'embedding']);
    else if (!embeds.embedder) issues.add('EMBEDDER_MISSING', [...path, 'embedding'], noEmbedder(embeds, 'no vector'));
    for (const field of descriptor.fields) checkFieldValue(issues, field, values[field.name], [...path, field.name]);
    checkKnownKeys(issues, descriptor, values, path);
  });
  issues.throwIfAny(operation);
}

/**
 * Checks the changes of an update: known fields, right types; the id cannot change. New `from` text without a
 * vector needs the model's embedder (else the old vector would stand for the new text).
 */
export function validateChanges(descriptor: VectorCollectionDescriptor, id: unknown, changes: unknown, embeds?: Embeds): asserts changes is Record<string, unknown> {
  const issues = new InputIssues();
  checkId(issues, id, ['id']);
  if (typeof changes !== 'object' || changes === null) issues.add('INVALID_INPUT', ['changes'], `expected an object, got ${describe(changes)}`);
  else {
    const values = changes as Record<string, unknown>;
    if ('id' in values) issues.add('INVALID_INPUT', ['changes', 'id'], 'the id of a record cannot change');
    if ('embedding' in values) checkVector(issues, values.embedding, descriptor, ['changes', 'embedding']);
    const from = descriptor.embedding?.from?.field;
    if (embeds && !embeds.embedder && from !== undefined && from in values && !('embedding' in values)) issues.add('EMBEDDER_MISSING', ['changes', 'embedding'], noEmbedder(embeds, `new ${from} without a vector`));
    for (const field of descriptor.fields) if (field.name in values) checkFieldValue(issues, field, values[field.name], ['changes', field.name]);
    checkKnownKeys(issues, descriptor, values, ['changes']);
  }
  issues.throwIfAny('update');
}

export function validateIds(ids: unknown, operation: string): asserts ids is string[] {
  const issues = new InputIssues();
  if (!Array.isArray(ids)) issues.add('INVALID_INPUT', ['ids'], `expected an array of ids, got ${describe(ids)}`);
  else if (ids.length > MAX_RECORDS_PER_CALL) issues.add('BATCH_TOO_LARGE', ['ids'], `${ids.length} ids in one call; the maximum is ${MAX_RECORDS_PER_CALL}`);
  else Array.from(ids, (id: unknown, i) => checkId(issues, id, ['ids', i]));
  issues.throwIfAny(operation);
}

export function validateSearch(descriptor: VectorCollectionDescriptor, query: unknown, embeds?: Embeds): void {
  const issues = new InputIssues();
  const q = (query ?? {}) as Record<string, unknown>;
  if (q.text !== undefined) checkQueryText(issues, descriptor, q.text, 'text');
  // Text to embed stands for the vector.
  if (q.query !== undefined) {
    if (q.vector !== undefined) issues.add('INVALID_QUERY', ['query'], 'give vector or query (text to embed), not both');
    else if (!embeds?.embedder) issues.add(embeds ? 'EMBEDDER_MISSING' : 'INVALID_QUERY', ['query'], noEmbedder(embeds, 'query is text to embed'));
    else checkText(issues, q.query, 'query');
  }
  // A keyword search has no vector; a hybrid one has both.
  else if (q.text === undefined || q.vector !== undefined) checkVector(issues, q.vector, descriptor, ['vector']);
  if (!Number.isInteger(q.topK) || (q.topK as number) < 1 || (q.topK as number) > MAX_TOP_K) {
    issues.add('INVALID_QUERY', ['topK'], `topK must be an integer from 1 to ${MAX_TOP_K}, got ${describe(q.topK)}`);
  }
  const hybrid = q.text !== undefined && (q.vector !== undefined || q.query !== undefined);
  for (const key of ['candidates', 'fusion'] as const) {
    if (q[key] !== undefined && !hybrid) issues.add('INVALID_QUERY', [key], `${key} applies to a hybrid search only (vector and text together)`);
  }
  if (hybrid && q.candidates !== undefined && (!Number.isInteger(q.candidates) || (q.candidates as number) < (q.topK as number) || (q.candidates as number) > MAX_CANDIDATES)) {
    issues.add('INVALID_QUERY', ['candidates'], `candidates must be an integer from topK to ${MAX_CANDIDATES}, got ${describe(q.candidates)}`);
  }
  if (hybrid && q.fusion !== undefined) checkFusion(issues, q.fusion);
  if (q.minScore !== undefined && (typeof q.minScore !== 'number' || Number.isNaN(q.minScore))) {
    issues.add('INVALID_QUERY', ['minScore'], `minScore must be a number, got ${describe(q.minScore)}`);
  }
  if (q.includeVector !== undefined && typeof q.includeVector !== 'boolean') issues.add('INVALID_QUERY', ['includeVector'], `includeVector must be a boolean, got ${describe(q.includeVector)}`);
  checkConsistency(issues, q.consistency, ['consistency'], 'INVALID_QUERY');
  checkCancellable(issues, q, [], 'INVALID_QUERY');
  if (q.cache !== undefined && typeof q.cache !== 'boolean') issues.add('INVALID_QUERY', ['cache'], `cache must be a boolean, got ${describe(q.cache)}`);
  // A misspelled key (`filter` for `where`) would otherwise search everything.
  for (const key of Object.keys(q)) if (!SEARCH_KEYS.has(key)) issues.add('INVALID_QUERY', [key], `unknown search option (expected ${[...SEARCH_KEYS].join(', ')})`);
  issues.throwIfAny('search');
}

const FUSION_MAX = 1_000_000;
const FUSION_MIN_WEIGHT = 1e-6;

/** Keyword search's text: on a collection declared with fullText; words, not nothing; storable. */
function checkQueryText(issues: InputIssues, descriptor: VectorCollectionDescriptor, text: unknown, key: string): void {
  if (!descriptor.fullText) {
    return issues.add('INVALID_QUERY', [key], `"${descriptor.name}" has no keyword search: declare fullText: { field, language } on the collection and run polystore generate`);
  }
  checkText(issues, text, key);
}

/** A search's text (keyword side, or to embed): words, not nothing, at most MAX_QUERY_TEXT characters, storable. */
function checkText(issues: InputIssues, text: unknown, key: string): void {
  if (typeof text !== 'string') return issues.add('INVALID_QUERY', [key], `${key} must be a string, got ${describe(text)}`);
  if (text.trim() === '') issues.add('INVALID_QUERY', [key], `${key} is empty: give words to search for${key === 'text' ? ', or leave text out for a vector search' : ''}`);
  else if (text.length > MAX_QUERY_TEXT && [...text].length > MAX_QUERY_TEXT) issues.add('INVALID_QUERY', [key], `${key} is longer than ${MAX_QUERY_TEXT} characters (${[...text].length})`);
  else if (hasNul(text) || !isWellFormed(text)) issues.add('INVALID_QUERY', [key], `${key} cannot contain NUL (U+0000) or a lone UTF-16 surrogate`);
}

/**
 * `fusion`: rrf, k from 1 to 1,000,000, weights of 0 or from 1e-6 to 1,000,000 of which one is positive: within
 * those bounds no fused score overflows or underflows a float8 in PostgreSQL, nor differs between the backends.
 */
function checkFusion(issues: InputIssues, fusion: unknown): void {
  if (!isPlainObject(fusion)) return issues.add('INVALID_QUERY', ['fusion'], `fusion must be an object, got ${describe(fusion)}`);
  for (const key of Object.keys(fusion)) if (!['method', 'k', 'weights'].includes(key)) issues.add('INVALID_QUERY', ['fusion', key], 'unknown fusion option (expected method, k, weights)');
  if (fusion.method !== undefined && fusion.method !== 'rrf') issues.add('INVALID_QUERY', ['fusion', 'method'], `the fusion method is "rrf" (reciprocal rank fusion), got ${describe(fusion.method)}`);
  if (fusion.k !== undefined && !(typeof fusion.k === 'number' && fusion.k >= 1 && fusion.k <= FUSION_MAX)) {
    issues.add('INVALID_QUERY', ['fusion', 'k'], `k must be a number from 1 to ${FUSION_MAX}, got ${describe(fusion.k)}`);
  }
  if (fusion.weights === undefined) return;
  if (!isPlainObject(fusion.weights)) return issues.add('INVALID_QUERY', ['fusion', 'weights'], `weights must be an object, got ${describe(fusion.weights)}`);
  const weights = fusion.weights;
  for (const key of Object.keys(weights)) if (key !== 'vector' && key !== 'text') issues.add('INVALID_QUERY', ['fusion', 'weights', key], 'unknown weight (expected vector, text)');
  for (const side of ['vector', 'text'] as const) {
    const weight = weights[side];
    if (weight !== undefined && !(typeof weight === 'number' && (weight === 0 || (weight >= FUSION_MIN_WEIGHT && weight <= FUSION_MAX)))) {
      issues.add('INVALID_QUERY', ['fusion', 'weights', side], `a weight is 0 or a number from ${FUSION_MIN_WEIGHT} to ${FUSION_MAX}, got ${describe(weight)}`);
    }
  }
  if (weights.vector === 0 && weights.text === 0) issues.add('INVALID_QUERY', ['fusion', 'weights'], 'at least one weight must be above 0');
}

/** A call's options object: `signal` and `timeoutMs`, what `more` checks, and nothing else of `keys`. */
function validateCallOptions(options: unknown, operation: string, keys: readonly string[], more?: (issues: InputIssues, options: Record<string, unknown>) => void): void {
  const issues = new InputIssues();
  if (options !== undefined && !isPlainObject(options)) issues.add('INVALID_OPTION', ['options'], `expected an object, got ${describe(options)}`);
  else if (options !== undefined) {
    checkCancellable(issues, options, ['options'], 'INVALID_OPTION');
    more?.(issues, options);
    for (const key of Object.keys(options)) if (!keys.includes(key)) issues.add('INVALID_OPTION', ['options', key], `unknown option (expected ${keys.join(', ')})`);
  }
  issues.throwIfAny(operation);
}

/** The options of a get or a count. */
export function validateReadOptions(options: unknown, operation: string): asserts options is ReadOptions | undefined {
  validateCallOptions(options, operation, READ_OPTION_KEYS, (issues, read) => {
    checkConsistency(issues, read.consistency, ['options', 'consistency'], 'INVALID_OPTION');
    if (read.cache !== undefined && typeof read.cache !== 'boolean') issues.add('INVALID_OPTION', ['options', 'cache'], `cache must be a boolean, got ${describe(read.cache)}`);
  });
}

/** The options of a write. */
export function validateWriteOptions(options: unknown, operation: string): asserts options is WriteOptions | undefined {
  validateCallOptions(options, operation, ['signal', 'timeoutMs']);
}

/** What is wrong with a value given as an `AbortSignal`, if anything. */
export const signalProblem = (value: unknown): string | undefined => (value instanceof AbortSignal ? undefined : `expected an AbortSignal, got ${describe(value)}`);

/** A call's `signal` and `timeoutMs`. */
function checkCancellable(issues: InputIssues, options: Record<string, unknown>, path: Path, code: string): void {
  const signal = options.signal === undefined ? undefined : signalProblem(options.signal);
  if (signal) issues.add(code, [...path, 'signal'], signal);
  const ms = options.timeoutMs;
  if (ms !== undefined && !(typeof ms === 'number' && Number.isInteger(ms) && ms >= 1 && ms <= MAX_TIMER_MS)) issues.add(code, [...path, 'timeoutMs'], `timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMER_MS}, got ${describe(ms)}`);
}

function checkConsistency(issues: InputIssues, value: unknown, path: Path, code: string): void {
  if (value !== undefined && !CONSISTENCY.includes(value as string)) issues.add(code, path, `consistency must be "primary" or "replica", got ${describe(value)}`);
}

function checkKnownKeys(issues: InputIssues, descriptor: VectorCollectionDescriptor, values: Record<string, unknown>, path: Path): void {
  for (const key of Object.keys(values)) {
    if (!RECORD_KEYS.has(key) && !descriptor.fields.some((field) => field.name === key)) {
      issues.add('UNKNOWN_FIELD', [...path, key], `"${descriptor.name}" has no field "${key}"`);
    }
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  return value === null ? 'null' : typeof value;
}

