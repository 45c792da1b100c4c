/**
 * npm run bench:generate — wall time of `polystore generate` (without `prisma generate`) on schema/ and on a
 * synthetic schema of 200 documents, 50 tables and 20 vector collections. Targets: ≤ 2 s and ≤ 10 s.
 * Each run writes a fresh output tree. "in-process" times generate() in a warm process; "CLI" times the whole
 * command as a user runs it, Node start-up and module loading included.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '../generator/generate.js';
import { loadSchema } from '../generator/load-schema.js';
import type { SchemaDef } from '../src/schema/define.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function inProcess(schema: SchemaDef): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), 'polystore-bench-'));
    const start = performance.now();
    await generate(schema, { out, prismaClient: false, now: 0 });
    times.push(performance.now() - start);
    rmSync(out, { recursive: true, force: true });
  }
  return times;
}

function cli(schemaFile: string): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = mkdtempSync(join(tmpdir(), 'polystore-bench-'));
    const start = performance.now();
    const result = spawnSync(process.execPath, [join(root, 'bin/polystore.js'), 'generate', '--schema', schemaFile, '--out', out, '--no-prisma-client'], { cwd: root, encoding: 'utf8' });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(result.stderr);
    rmSync(out, { recursive: true, force: true });
  }
  return times;
}

/** `polystore --help`: Node start-up and the CLI's own modules, which load no command's code. */
function help(): number[] {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    spawnSync(process.execPath, [join(root, 'bin/polystore.js'), '--help'], { cwd: root });
    times.push(performance.now() - start);
  }
  return times;
}

const helpTimes = help();
console.log(`polystore --help  ${median(helpTimes).toFixed(0)} ms (${Math.min(...helpTimes).toFixed(0)}–${Math.max(...helpTimes).toFixed(0)})  target ≤ 300: ${median(helpTimes) <= 300 ? 'met' : 'MISSED'}\n`);

const cases = [
  { name: 'schema/ (FastGPT model)', file: join(root, 'schema/index.ts'), target: 2000 },
  { name: 'synthetic 200 documents / 50 tables / 20 vector collections', file: join(root, 'bench/synthetic-schema.ts'), target: 10_000 },
];
console.log(`polystore generate, ${RUNS} runs each, median (min–max) in ms; prisma generate excluded\n`);
for (const { name, file, target } of cases) {
  const { schema } = await loadSchema(root, file);
  for (const [how, times] of [
    ['in-process', await inProcess(schema)],
    ['CLI       ', cli(file)],
  ] as const) {
    const m = median(times);
    console.log(`${name}  ${how}  ${m.toFixed(0)} (${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)})  target ≤ ${target}: ${m <= target ? 'met' : 'MISSED'}`);
  }
}
