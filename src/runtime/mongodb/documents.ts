import { PolystoreError } from '../../errors.js';

/** The part of a generated PrismaClient that polystore drives. */
export interface PrismaClientLike {
  $connect(): Promise<void>;
  $disconnect(): Promise<void>;
}

/** What Prisma passes a model's query extension (its ModelQueryOptionsCbArgs, whose args type is Prisma's). */
export interface QueryCall<A extends object> {
  model: string;
  operation: string;
  args: A;
  query: (args: A) => Promise<unknown>;
}

/** A Prisma client extension running `run` around every operation of every model. */
export const queryExtension = (name: string, run: <A extends object>(call: QueryCall<A>) => Promise<unknown>) => ({ name, query: { $allModels: { $allOperations: run } } });

/** `client.$extends(extension)`, when the client can take one. */
export function withExtension<C extends object>(client: C, extension: ReturnType<typeof queryExtension>): C {
  const extend = (client as { $extends?: unknown }).$extends;
  return typeof extend === 'function' ? (extend as (extension: unknown) => C).call(client, extension) : client;
}

export type PrismaClientClass<C extends PrismaClientLike> = new (options?: { datasourceUrl?: string }) => C;

/** Messages Prisma gives when its query engine is absent, or a placeholder stands in for it. */
const ENGINE_MISSING = /query engine|engine library|Prisma engines|Unable to require|invalid ELF header|file too short/i;

/**
 * Opens the MongoDB documents through the application's own generated
 * PrismaClient class (so its types are the user's), and says in plain words
 * when Prisma's engine is missing instead of surfacing a loader error.
 */
export async function connectDocuments<C extends PrismaClientLike>(PrismaClient: PrismaClientClass<C>, url: string | undefined): Promise<C> {
  let client: C;
  try {
    client = new PrismaClient(url ? { datasourceUrl: url } : undefined);
    await client.$connect();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (ENGINE_MISSING.test(message)) {
      throw new PolystoreError(
        'PRISMA_ENGINE_MISSING',
        "Prisma's query engine is not installed on this machine, so the MongoDB documents cannot be opened. " +
          'Run `npx polystore generate` (which runs `prisma generate`) where Prisma can download its engines, ' +
          'or set PRISMA_QUERY_ENGINE_LIBRARY to the path of a real engine library.',
        { cause: error },
      );
    }
    throw new PolystoreError('MONGODB_UNAVAILABLE', `Could not connect to MongoDB: ${message}`, { cause: error });
  }
  return client;
}
