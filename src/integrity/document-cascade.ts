/**
 * The cascade as a Prisma client extension, which `db.documents()` applies when a vector collection links to a
 * document model: the documents a delete matches are read first through the application's own client (its
 * `where`, Prisma's), unextended, so that no cached answer stands in for them.
 */
import type { Cascade, FindMatching } from './cascade.js';
import { queryExtension, withExtension } from '../runtime/mongodb/documents.js';

type Delegate = {
  findUnique(args: object): Promise<Record<string, unknown> | null>;
  findMany(args: object): Promise<Array<Record<string, unknown>>>;
};

/** `prisma.datasetData` of model `DatasetData`. */
const delegateOf = (client: object, model: string) => (client as Record<string, Delegate>)[`${model.charAt(0).toLowerCase()}${model.slice(1)}`];

export function prismaMatching(client: object): FindMatching {
  return async (model, operation, where, fields) => {
    const select = Object.fromEntries(['id', ...fields].map((field) => [field, true]));
    const delegate = delegateOf(client, model);
    if (operation === 'deleteMany') return delegate.findMany({ where, select });
    const found = await delegate.findUnique({ where, select });
    return found ? [found] : [];
  };
}

/** `client`, extended with the cascade; `base` is the client before any extension, which reads the matches. */
export function withDocumentCascade<C extends object>(client: C, base: object, cascade: Cascade | undefined): C {
  return cascade ? withExtension(client, queryExtension('polystore-integrity', cascade.around(prismaMatching(base)))) : client;
}
