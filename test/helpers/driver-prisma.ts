/**
 * The application's generated PrismaClient stands here for the `Passage` model of test/helpers/linked-project.ts:
 * Prisma's query engine cannot run on this machine (README), so its calls are made with the `mongodb` driver on the
 * real server, and `$extends` runs a query extension around them as Prisma does. Only the `where` forms the tests
 * write are read: `{ id }`, `{ id: { in } }`, a field's value, and `AND`.
 */
import { MongoClient, ObjectId } from 'mongodb';

type Where = Record<string, unknown>;
type Args = { where?: Where; select?: Record<string, boolean> };
type Extension = { query: { $allModels: { $allOperations(call: { model: string; operation: string; args: Args; query: (args: Args) => Promise<unknown> }): Promise<unknown> } } };

function filterOf(where: Where = {}): Record<string, unknown> {
  const parts = Object.entries(where).map(([key, value]): Record<string, unknown> => {
    if (key === 'AND') return { $and: (value as Where[]).map(filterOf) };
    if (key === 'id') return { _id: typeof value === 'object' && value !== null && 'in' in value ? { $in: (value as { in: string[] }).in.map((id) => new ObjectId(id)) } : new ObjectId(value as string) };
    return { [key]: value };
  });
  return parts.length === 0 ? {} : { $and: parts };
}

const shaped = (document: Record<string, unknown>, select: Record<string, boolean> = {}) =>
  Object.fromEntries(Object.entries({ ...document, id: String(document._id) }).filter(([key]) => key !== '_id' && (Object.keys(select).length === 0 || select[key])));

export function driverPrismaClient(url: string) {
  return class {
    client: MongoClient;
    readonly passage: Record<string, (args: Args) => Promise<unknown>>;
    constructor(options?: { datasourceUrl?: string }, readonly extensions: Extension[] = [], client?: MongoClient) {
      this.client = client ?? new MongoClient(options?.datasourceUrl ?? url);
      const passages = () => this.client.db().collection('passages');
      const operations: Record<string, (args: Args) => Promise<unknown>> = {
        findMany: async ({ where, select }) => (await passages().find(filterOf(where)).toArray()).map((document) => shaped(document, select)),
        findUnique: async ({ where, select }) => {
          const found = await passages().findOne(filterOf(where));
          return found && shaped(found, select);
        },
        deleteMany: async ({ where }) => ({ count: (await passages().deleteMany(filterOf(where))).deletedCount }),
        delete: async ({ where }) => {
          const found = await passages().findOneAndDelete(filterOf(where));
          if (!found) throw new Error('Record to delete does not exist.');
          return shaped(found);
        },
      };
      this.passage = Object.fromEntries(
        Object.entries(operations).map(([operation, run]) => [
          operation,
          (args: Args) => this.extensions.reduce<(args: Args) => Promise<unknown>>((query, extension) => (next) => extension.query.$allModels.$allOperations({ model: 'Passage', operation, args: next, query }), run)(args),
        ]),
      );
    }
    async $connect() {
      await this.client.connect();
    }
    async $disconnect() {
      await this.client.close();
    }
    $extends(extension: Extension) {
      // The last extension runs first, around the ones before it, as Prisma's do.
      return new (this.constructor as new (options: undefined, extensions: Extension[], client: MongoClient) => this)(undefined, [...this.extensions, extension], this.client);
    }
  };
}
