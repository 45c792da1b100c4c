/**
 * One Milvus, shared by every collection on the milvus backend: the SDK client (made on first use, so that a
 * facade whose collections are all on pgvector never loads gRPC), status checks, retries, and the
 * ensure-on-first-use of each collection.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import pRetry, { AbortError } from 'p-retry';
import { ensureCollection } from './ensure-collection.js';
import type { MilvusConnection, Response, Status } from './milvus-connection.js';
import { acquireMilvusLite, isMilvusLiteAddress, type MilvusLiteServer } from './milvus-lite.js';
import { MILVUS_DEFAULTS, type MilvusOptions } from '../contract/options.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { once } from '../once.js';
import { PolystoreError } from '../../errors.js';

const statusOf = (response: Response): Status => ('status' in response ? response.status : response);

/** gRPC codes worth another attempt: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED. */
const TRANSIENT_GRPC = new Set([4, 8, 14]);
/** Milvus's CollectionNotExists and CollectionNotLoaded. */
const NOT_FOUND = 100;
const NOT_LOADED = 101;

export function openMilvus(options: MilvusOptions | undefined): MilvusConnection {
  if (!options) {
    const missing = () => Promise.reject(new PolystoreError('MILVUS_NOT_CONFIGURED', 'a collection is on the milvus backend, but createPolystore() was given no `milvus: { address }`'));
    return { consistency: MILVUS_DEFAULTS.consistency, prepare: async () => {}, call: missing, ensure: missing, close: async () => {} };
  }
  // An option given as undefined keeps its default.
  const settings = { ...MILVUS_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) } as typeof MILVUS_DEFAULTS & MilvusOptions;
  let lite: MilvusLiteServer | undefined;
  let client: Promise<MilvusClient> | undefined;
  /** Per collection: its ensure, run once unless it fails or Milvus later says the collection is gone or released. */
  const ensured = new Map<string, () => Promise<void>>();
  const forget = (collection: string | undefined) => collection !== undefined && ensured.delete(collection);

  const newClient = async (address: string) => {
    const { MilvusClient } = await loadSdk();
    // One retry policy, polystore's: the SDK's own interceptor would multiply the attempts.
    return new MilvusClient({ address, token: settings.token, timeout: settings.timeoutMs, logLevel: 'error', maxRetries: 0 });
  };
  // A server's client, made by the first call or by `prepare()`; one that could not connect is closed, and made anew.
  const madeOnce = () => once(() => newClient(settings.address));
  let made = madeOnce();

  // Nothing starts before the first call: Milvus Lite and the gRPC stack stay unloaded for facades that never use them.
  const open = async () => {
    if (isMilvusLiteAddress(settings.address)) lite ??= acquireMilvusLite(settings.address);
    const address = lite ? await lite.address : settings.address;
    const sdk = lite ? await newClient(address) : await made();
    await sdk.connectPromise.catch(async (error: unknown) => {
      if (!lite) made = madeOnce();
      await sdk.closeConnection();
      throw new PolystoreError('MILVUS_UNAVAILABLE', `cannot reach Milvus at ${address}: ${(error as Error).message}`, { cause: error });
    });
    if (settings.database) await useDatabase(sdk, settings.database);
    return sdk;
  };
  let openClient = once(open);
  const connect = () => {
    // A Milvus Lite server that ended is started again, with a client of its own; its collections are ensured anew.
    if (lite?.ended()) {
      void client?.then((sdk) => sdk.closeConnection()).catch(() => undefined);
      void lite.release();
      lite = undefined;
      openClient = once(open);
      ensured.clear();
    }
    return (client = openClient());
  };

  const connection: MilvusConnection = {
    consistency: settings.consistency,
    prepare: async () => void (isMilvusLiteAddress(settings.address) || (await made())),
    async call<R extends Response>(operation: string, request: (client: MilvusClient) => Promise<R>, collection?: string): Promise<R> {
      const sdk = await connect();
      const server = lite;
      const attempt = async (): Promise<R> => {
        let response: R;
        try {
          response = await request(sdk);
        } catch (error) {
          const ended = server?.ended();
          if (ended) throw new AbortError(new PolystoreError('MILVUS_UNAVAILABLE', `${operation}: the Milvus Lite server of ${settings.address} exited (${ended}); the next call starts it again`, { cause: error }));
          if (isTransient(error)) throw error;
          const missing = collection !== undefined && !(await sdk.hasCollection({ collection_name: collection })).value;
          if (missing) forget(collection);
          throw new AbortError(missing ? collectionMissing(operation, collection) : asPolystoreError(operation, error));
        }
        const status = statusOf(response);
        // Milvus Lite answers some failures with error_code 'Success' and a non-zero code: the code decides.
        if (typeof status.code === 'number' ? status.code === 0 : status.error_code === 'Success') return response;
        if (status.code === NOT_FOUND) {
          forget(collection);
          throw new AbortError(collectionMissing(operation, collection ?? 'the collection'));
        }
        if (status.code === NOT_LOADED) {
          forget(collection);
          throw new AbortError(new PolystoreError('COLLECTION_NOT_LOADED', `${operation}: ${status.reason}`));
        }
        const failure = new PolystoreError('MILVUS_ERROR', `${operation}: ${status.reason}`);
        if (status.retriable) throw failure;
        throw new AbortError(failure);
      };
      return pRetry(attempt, { retries: settings.attempts - 1, minTimeout: 100, maxTimeout: 2_000 }).catch((error: unknown) => {
        throw asPolystoreError(operation, error);
      });
    },
    ensure(descriptor) {
      let run = ensured.get(descriptor.name);
      if (!run) ensured.set(descriptor.name, (run = once(() => ensureCollection(connection, descriptor))));
      return run();
    },
    async close() {
      const sdk = await client?.catch(() => undefined);
      await sdk?.closeConnection();
      await lite?.release();
    },
  };
  return connection;
}

/**
 * The Milvus SDK is an optional peer dependency: applications whose collections all live on pgvector do not
 * install gRPC, the SDK and what it pulls in (which needs Node 22).
 */
export async function loadSdk(): Promise<typeof import('@zilliz/milvus2-sdk-node')> {
  try {
    return await import('@zilliz/milvus2-sdk-node');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new PolystoreError('MILVUS_SDK_MISSING', 'a collection is on the milvus backend, but the Milvus SDK is not installed: npm install @zilliz/milvus2-sdk-node@3.0.6', { cause: error });
  }
}

async function useDatabase(sdk: MilvusClient, database: string): Promise<void> {
  const listed = await sdk.listDatabases();
  if (!listed.db_names.includes(database)) {
    const created = await sdk.createDatabase({ db_name: database });
    if (created.error_code !== 'Success' && !/exist/i.test(created.reason)) throw new PolystoreError('MILVUS_ERROR', `creating database "${database}": ${created.reason}`);
  }
  await sdk.useDatabase({ db_name: database });
}

function collectionMissing(operation: string, collection: string): PolystoreError {
  return new PolystoreError('COLLECTION_MISSING', `${operation}: Milvus has no collection "${collection}" (dropped while in use?); the next call creates it again`);
}

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && TRANSIENT_GRPC.has(code);
}

function asPolystoreError(operation: string, error: unknown): PolystoreError {
  if (error instanceof PolystoreError) return error;
  // The SDK sometimes throws a bare status object, and gRPC errors without a message (their `details` say it).
  const said = error as { message?: unknown; reason?: unknown; details?: unknown } | undefined;
  const message = [said?.message, said?.reason, said?.details].find((text) => typeof text === 'string' && text.length > 0) ?? `no reason given (${String(error)})`;
  if (isTransient(error)) return new PolystoreError('MILVUS_UNAVAILABLE', `${operation}: Milvus did not answer (${message})`, { cause: error });
  return new PolystoreError('MILVUS_ERROR', `${operation}: ${message}`, { cause: error });
}
