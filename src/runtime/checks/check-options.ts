/** createPolystore()'s options, checked before anything opens: every problem, with its path. */
import { postgresUrlProblem, withoutPassword } from './postgres-url.js';
import { describe, InputIssues, isPlainObject } from './validate.js';
import { InvalidInputError } from '../../errors.js';
import { MAX_TIMER_MS } from '../contract/options.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { checkEmbedders } from './check-embedders.js';

type Path = Array<string | number>;
/** A value's problem, or its items' problems by index. */
export type Check = (value: unknown) => string | Array<[number, string]> | undefined;

const BACKENDS = ['pgvector', 'milvus'];
const CONSISTENCY = ['Strong', 'Bounded', 'Eventually'];

export const text: Check = (value) => (typeof value === 'string' && value.length > 0 ? undefined : `expected a non-empty string, got ${describe(value)}`);
export const postgresUrl: Check = (value) => {
  const problem = typeof value === 'string' ? postgresUrlProblem(value) : 'expected a postgres:// URL';
  return problem && `${problem}, got ${describe(typeof value === 'string' ? withoutPassword(value) : value)}`;
};
const number = (min: number, integer = false): Check => (value) =>
  typeof value === 'number' && value >= min && Number.isFinite(value) && (!integer || Number.isInteger(value)) ? undefined : `expected ${integer ? 'an integer' : 'a number'} of at least ${min}, got ${describe(value)}`;
export const between = (min: number, max: number, integer = false): Check => (value) =>
  typeof value === 'number' && value >= min && value <= max && (!integer || Number.isInteger(value)) ? undefined : `expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${describe(value)}`;
const oneOf = (values: string[]): Check => (value) => (values.includes(value as string) ? undefined : `expected ${values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(value)}`);
const listOf = (item: Check): Check => (value) => {
  if (!Array.isArray(value)) return `expected an array, got ${describe(value)}`;
  const problems = value.flatMap((element, i): Array<[number, string]> => {
    const problem = item(element);
    return typeof problem === 'string' ? [[i, problem]] : [];
  });
  return problems.length > 0 ? problems : undefined;
};
const is = (type: 'boolean' | 'function'): Check => (value) => (typeof value === type ? undefined : `expected a ${type}, got ${describe(value)}`);
export const object = (shape: Record<string, Check>, required: string[] = []) => ({ shape, required });

const POSTGRES = object(
  { url: postgresUrl, max: number(1, true), idleTimeoutSeconds: number(0), connectTimeoutSeconds: number(1), prepare: is('boolean'), replicas: listOf(postgresUrl), replicaTimeoutMs: between(1, MAX_TIMER_MS), readYourWritesMs: number(0) },
  ['url'],
);
const PGLITE = object({ dataDir: text, client: (value) => (typeof (value as { query?: unknown })?.query === 'function' ? undefined : `expected a PGlite instance, got ${describe(value)}`) });
const MILVUS = object({ address: text, token: text, database: text, timeoutMs: number(1), attempts: number(1, true), consistency: oneOf(CONSISTENCY) }, ['address']);
/**
 * A MongoDB URL that names its database: without one the driver would use `test`, where Prisma, which refuses such a
 * URL, never reads — `migrate` would build the indexes where no document goes.
 */
const mongoUrl: Check = (value) =>
  typeof value === 'string' && /^mongodb(\+srv)?:\/\/[^/]+\/[^/?]+/.test(value)
    ? undefined
    : `expected a mongodb:// or mongodb+srv:// URL naming its database (mongodb://host:27017/app), got ${describe(value)}`;
const MONGODB = object({ url: mongoUrl }, ['url']);
const redisUrl: Check = (value) => {
  const parsed = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  const fine = parsed && (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') && parsed.hostname && /^\/?\d*$/.test(parsed.pathname);
  return fine ? undefined : `expected redis://[user:password@]host[:port][/database number] (or rediss://), got ${describe(value)}`;
};
const namespace: Check = (value) => (typeof value === 'string' && /^[\w.:-]{1,64}$/.test(value) ? undefined : `expected 1 to 64 of letters, digits, _ . : -, got ${describe(value)}`);
// A year of TTL, a million entries (lru-cache allocates for each up front), 16 GiB.
const CACHE = object({ redis: redisUrl, ttlSeconds: between(0.001, 31_536_000), namespace, maxEntries: between(1, 1_000_000, true), maxBytes: between(1024, 2 ** 34, true), timeoutMs: between(1, 60_000) });
const PARTITIONS = object({ ensureAhead: between(0, 120, true) });

/** Every problem of an options object against its shape; an unknown key (`constructor` too) is one. */
export function checkObject(issues: InputIssues, value: unknown, { shape, required }: ReturnType<typeof object>, path: Path, code = 'INVALID_OPTION'): void {
  if (!isPlainObject(value)) return issues.add(code, path, `expected an object, got ${describe(value)}`);
  for (const key of required) if (value[key] === undefined) issues.add(code, [...path, key], 'is required');
  for (const [key, item] of Object.entries(value)) {
    const check = Object.hasOwn(shape, key) ? shape[key] : undefined;
    const problem = check ? item === undefined ? undefined : check(item) : `unknown option (expected ${Object.keys(shape).join(', ')})`;
    if (typeof problem === 'string') issues.add(code, [...path, key], problem);
    else for (const [index, message] of problem ?? []) issues.add(code, [...path, key, index], message);
  }
}

export function checkOptions(options: unknown, descriptors: readonly VectorCollectionDescriptor[]): void {
  const issues = new InputIssues();
  const collections = descriptors.map((descriptor) => descriptor.name);
  const top = object({
    postgres: (value) => (typeof value === 'string' ? postgresUrl(value) : undefined),
    pglite: () => undefined,
    milvus: () => undefined,
    mongodb: () => undefined,
    partitions: () => undefined,
    cache: (value) => (typeof value === 'boolean' || isPlainObject(value) ? undefined : `expected true, false or { redis, ttlSeconds, namespace, maxEntries, maxBytes, timeoutMs }, got ${describe(value)}`),
    vectorBackends: (value) => (isPlainObject(value) ? undefined : `expected an object, got ${describe(value)}`),
    logQuery: is('function'),
    autoMigrate: is('boolean'),
    migrationsFolder: (value) => (typeof value === 'string' && value.trim() !== '' ? undefined : `expected the path of the migrations' folder (drizzle/ as generated), got ${describe(value)}`),
    embedders: () => undefined,
  });
  checkObject(issues, options, top, []);
  if (isPlainObject(options)) {
    const nested: Array<[string, ReturnType<typeof object>]> = [['pglite', PGLITE], ['milvus', MILVUS], ['mongodb', MONGODB], ['partitions', PARTITIONS], ...(isPlainObject(options.cache) ? [['cache', CACHE] as [string, ReturnType<typeof object>]] : []), ...(typeof options.postgres === 'string' ? [] : [['postgres', POSTGRES] as [string, ReturnType<typeof object>]])];
    for (const [key, shape] of nested) if (options[key] !== undefined) checkObject(issues, options[key], shape, [key]);
    checkEmbedders(issues, options.embedders, descriptors);
    if (options.postgres !== undefined && options.pglite !== undefined) issues.add('INVALID_OPTION', ['pglite'], 'give postgres (a server) or pglite (embedded), not both');
    for (const [name, backend] of Object.entries(isPlainObject(options.vectorBackends) ? options.vectorBackends : {})) {
      if (!collections.includes(name)) issues.add('UNKNOWN_COLLECTION', ['vectorBackends', name], `no vector collection "${name}" (have ${collections.join(', ') || 'none'})`);
      else if (backend !== undefined && !BACKENDS.includes(backend as string)) issues.add('INVALID_VALUE', ['vectorBackends', name], `backend must be "pgvector" or "milvus", got ${JSON.stringify(backend)}`);
    }
  }
  if (issues.issues.length > 0) throw new InvalidInputError('createPolystore', issues.issues);
}
