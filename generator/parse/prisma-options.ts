/** The schema's `prisma: { binaryTargets }`, checked by shape: `prisma generate` knows which platforms it has engines for. */
import type { PrismaDef } from '../../src/schema/define.js';
import type { SchemaIR } from '../ir.js';
import type { Issues } from './issues.js';

/** Prisma's platform names: lowercase words, digits, dots and dashes (`rhel-openssl-3.0.x`). */
const BINARY_TARGET = /^[a-z][a-z0-9.-]*$/;

export function parsePrismaOptions(issues: Issues, def: PrismaDef | undefined): SchemaIR['prisma'] {
  if (def === undefined) return undefined;
  const path = ['prisma'];
  if (typeof def !== 'object' || def === null) return void issues.add('invalid_type', path, 'prisma must be an object: { binaryTargets }');
  issues.unknownKeys(def, ['binaryTargets'], path);
  const targets: unknown = def.binaryTargets;
  if (targets === undefined) return undefined;
  if (!Array.isArray(targets) || targets.length === 0) return void issues.add('invalid_type', [...path, 'binaryTargets'], `expected a non-empty list of Prisma platforms such as ["native", "rhel-openssl-3.0.x"], got ${JSON.stringify(targets)}`);
  targets.forEach((target: unknown, i) => {
    if (typeof target !== 'string' || !BINARY_TARGET.test(target)) issues.add('invalid_value', [...path, 'binaryTargets', i], `expected a Prisma platform name such as "native" or "linux-musl-openssl-3.0.x", got ${JSON.stringify(target)}`);
    else if (targets.indexOf(target) !== i) issues.add('invalid_value', [...path, 'binaryTargets', i], `"${target}" is listed twice`);
  });
  return { binaryTargets: targets as string[] };
}
