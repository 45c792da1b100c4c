/**
 * `npm run bench:install`: a consumer's node_modules after installing the packed package, as a deploy does
 * (`npm ci --omit=dev`: the runtime only) and as a developer does (with the generator's tools and the Prisma client).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumerSize } from './install-size.js';

for (const withTools of [false, true]) {
  const consumer = mkdtempSync(join(tmpdir(), 'polystore-consumer-'));
  try {
    const { megabytes } = consumerSize(consumer, { withTools });
    console.log(`${withTools ? 'with the generator tools and @prisma/client' : 'npm install --omit=dev (production)'}: ${megabytes.toFixed(1)} MB of node_modules`);
  } finally {
    rmSync(consumer, { recursive: true, force: true });
  }
}
