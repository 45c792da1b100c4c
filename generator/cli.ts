import { Command, InvalidArgumentError, Option } from 'commander';
import type { CopyFlags } from '../src/cli/copy-command.js';
import type { ReembedFlags } from '../src/cli/reembed-command.js';
import type { IntegrityFlags } from '../src/cli/integrity-command.js';
import { MAX_TIMER_MS } from '../src/runtime/contract/options.js';
import { InvalidInputError, messageOf, oneLine, PolystoreError } from '../src/errors.js';
import type { MigrateDownFlags, MigrateFlags } from '../src/cli/migrate-command.js';
import type { HealthFlags } from '../src/cli/health-command.js';
import type { PartitionsFlags } from '../src/cli/partitions-command.js';
import type { GenerateFlags } from './generate-command.js';

const MIGRATION_NAME = /^[a-z0-9_]{1,40}$/;

const wholeNumber = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`use a whole number from ${min} to ${max}`);
  return n;
};

export function cliProgram(): Command {
  const program = new Command('polystore')
    .description('One schema for MongoDB (Prisma), PostgreSQL and pgvector (Drizzle) and Milvus.')
    // Commander's own errors (an unknown option, a bad choice) as every other failure: one line, `polystore: …`.
    // Set before the commands are added: each copies it.
    .configureOutput({ outputError: (message, write) => write(`polystore: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim()}\n`) });
  // --postgres, from the flag or its environment variable, checked before a command opens anything, named as given.
  program.hook('preAction', async (_, command) => {
    const source = command.getOptionValueSource('postgres');
    const url: unknown = command.getOptionValue('postgres');
    if (!url || (source !== 'cli' && source !== 'env')) return;
    const { postgresUrl } = await import('../src/runtime/checks/check-options.js');
    const wrong = postgresUrl(url);
    if (typeof wrong === 'string') throw new PolystoreError('INVALID_OPTION', `${source === 'env' ? 'POLYSTORE_POSTGRES_URL' : '--postgres'}: ${wrong}`);
  });
  program
    .command('generate')
    .description('Write prisma/, drizzle/ and generated/ from the schema (polystore.config.ts, else schema/index.ts).')
    .option('--schema <file>', 'schema module whose default export is defineSchema(...)')
    .option('--out <dir>', 'root under which prisma/, drizzle/ and generated/ are written (default: the current directory)')
    .option('--check', 'write nothing; exit 1 listing every file that differs from what would be generated')
    .option('--no-prisma-client', 'skip `prisma generate` after writing')
    .option('--name <name>', 'name of a new migration (a-z, 0-9, _)', (value: string) => {
      if (!MIGRATION_NAME.test(value)) throw new InvalidArgumentError('use 1 to 40 of a-z, 0-9 and _');
      return value;
    })
    // Each command's code loads when it runs: `--help` and `vectors copy` need neither TypeScript nor ts-morph nor drizzle-kit.
    .action(async (flags: GenerateFlags) => (await import('./generate-command.js')).runGenerate(flags));
  const backend = (flag: string) => new Option(`${flag} <backend>`, flag === '--from' ? 'backend to read' : 'backend to write').choices(['pgvector', 'milvus']).makeOptionMandatory();
  const positive = wholeNumber(1, 10_000);
  /** Where a command connects: flags, else these environment variables, else polystore.config.ts's `connections`. */
  const connectionOptions = (command: Command) =>
    command
      .option('--out <dir>', 'root holding generated/ and drizzle/ (default: polystore.config.ts\'s out, else the current directory)')
      .addOption(new Option('--postgres <url>', 'PostgreSQL server').env('POLYSTORE_POSTGRES_URL'))
      .option('--pglite-dir <dir>', 'data directory of an embedded PGlite')
      .addOption(new Option('--milvus <address>', 'Milvus host:port, or a path ending in .db for Milvus Lite').env('POLYSTORE_MILVUS_ADDRESS'))
      .addOption(new Option('--milvus-token <token>', 'user:password or API key').env('POLYSTORE_MILVUS_TOKEN'))
      .option('--milvus-database <name>', 'Milvus database')
      .addOption(new Option('--mongodb <url>', "MongoDB of the documents (the URL's path names the database)").env('MONGODB_URL'));
  const vectors = program.command('vectors').description('Vector collections across backends, and changes of their embedding model.');
  connectionOptions(
    vectors
      .command('copy <collection>')
      .description('Copy a vector collection between pgvector and Milvus: batched, resumable, idempotent, verified.')
      .addOption(backend('--from'))
      .addOption(backend('--to')),
  )
    .option('--batch <n>', 'records per batch', positive, 500)
    .option('--sample <n>', 'records compared by checksum at the end', positive, 1_000)
    .option('--state <file>', 'where progress is kept for a resume (default: .polystore-copy-<collection>-<from>-<to>.json under --out)')
    .action(async (collection: string, flags: CopyFlags) => (await import('../src/cli/copy-command.js')).runCopy(collection, flags));
  connectionOptions(
    vectors
      .command('reembed <collection>')
      .description("Fill the schema's new embedding generation from each record's text with polystore.config.ts's embedder (resumable); then --cutover, --rollback, --finalize."),
  )
    .option('--dry-run', 'count the records to embed and the embedder calls; change nothing')
    .option('--cutover', 'switch reads to the new vectors, at once, when every record has one (else say how many lack one)')
    .option('--rollback', 'switch reads back to the previous vectors, while they exist')
    .option('--finalize', 'drop the previous vectors (a column, or a Milvus collection); refused before --cutover')
    .option('--batch <n>', 'records per page', positive, 500)
    .option('--concurrency <n>', "embedder calls at once (default: the embedder's setting, else 4)", positive)
    .option('--rate <n>', 'at most n embedder calls a minute', positive)
    .option('--json', 'print the result as JSON')
    .action(async (collection: string, flags: ReembedFlags) => (await import('../src/cli/reembed-command.js')).runReembed(collection, flags));
  connectionOptions(
    program
      .command('integrity')
      .description('The links of vector collections to documents (f.ref fields).')
      .command('check')
      .description("Report each linked collection's vectors whose document is gone (exit 2 if any, 1 if it could not look); --sweep --older-than deletes them."),
  )
    .option('--collection <name>', 'one collection (default: every linked one)')
    .option('--since <time>', 'only vectors written at or after this time (ISO 8601, or a duration ago: 24h)')
    .option('--until <time>', 'only vectors written before this time (ISO 8601, or a duration ago)')
    .option('--sweep', 'delete the orphans, in batches, resumable; one sweep of a collection at a time')
    .option('--older-than <duration>', 'with --sweep: the grace period (30m, 1h, 7d); orphans written since are kept')
    .option('--dry-run', 'with --sweep: list the orphans, a line each; delete nothing')
    .option('--batch <n>', 'vectors per page and ids per MongoDB lookup (1 to 10000)', wholeNumber(1, 10_000), 1_000)
    .option('--json', 'print the reports as JSON')
    .action(async (flags: IntegrityFlags) => (await import('../src/cli/integrity-command.js')).runIntegrity(flags));
  const migrate = program.command('migrate').description("Apply drizzle/'s migrations, create or check the Milvus collections and the documents' MongoDB indexes; `migrate status` to look only.");
  connectionOptions(migrate.command('up', { isDefault: true }).description("Apply pending migrations under an advisory lock, ensure each Milvus collection, then the documents' collections and indexes (the default)"))
    .option('--dry-run', 'print the SQL and the Milvus requests that would run; change nothing')
    .option('--force', "replace MongoDB indexes whose definition differs from the schema's")
    .option('--json', 'print the result as JSON')
    .action(async (flags: MigrateFlags) => (await import('../src/cli/migrate-command.js')).runMigrate(flags));
  connectionOptions(migrate.command('status').description('Applied, pending and changed migrations; Milvus collections and MongoDB indexes present, missing or drifted. Exit 1 unless all is current.'))
    .option('--json', 'print the status as JSON')
    .action(async (flags: MigrateFlags) => (await import('../src/cli/migrate-command.js')).runMigrateStatus(flags));
  connectionOptions(migrate.command('down').description('Reverse the applied migrations after --to, newest first, in one transaction (drizzle/down/); PostgreSQL only.'))
    .requiredOption('--to <tag>', 'the migration to go back to: it stays applied')
    .option('--force', 'reverse even when a dropped table or column holds rows (they are lost)')
    .option('--dry-run', 'print the SQL and the rows each drop would lose; change nothing')
    .option('--json', 'print the result as JSON')
    .action(async (flags: MigrateDownFlags) => (await import('../src/cli/migrate-command.js')).runMigrateDown(flags));
  program
    .command('health')
    .description('Probe PostgreSQL (versions, size, pending migrations) and Milvus; exit 0 only when every store is up.')
    .addOption(new Option('--postgres <url>', 'PostgreSQL server').env('POLYSTORE_POSTGRES_URL'))
    .addOption(new Option('--milvus <address>', 'Milvus host:port, or a path ending in .db for Milvus Lite').env('POLYSTORE_MILVUS_ADDRESS'))
    .addOption(new Option('--milvus-token <token>', 'user:password or API key').env('POLYSTORE_MILVUS_TOKEN'))
    .option('--milvus-database <name>', 'Milvus database')
    .option('--out <dir>', 'root holding drizzle/, for the pending migrations (default: polystore.config.ts\'s out, else the current directory)')
    .option('--timeout <ms>', 'per store, in milliseconds (1 to 2147483647)', wholeNumber(1, MAX_TIMER_MS), 2_000)
    .option('--json', 'print the report as JSON')
    .action(async (flags: HealthFlags) => (await import('../src/cli/health-command.js')).runHealth(flags));
  program
    .command('partitions')
    .description('Monthly partitions of the PostgreSQL tables.')
    .command('ensure')
    .description('Create the monthly partitions from this month to --ahead months on, moving rows DEFAULT holds for them.')
    .addOption(new Option('--postgres <url>', 'PostgreSQL server').env('POLYSTORE_POSTGRES_URL'))
    .option('--ahead <n>', 'months after the current one (0 to 120)', wholeNumber(0, 120), 3)
    .option('--retain <months>', 'detach the partitions that ended more than this many months before the current one (1 to 1200); never DEFAULT', wholeNumber(1, 1200))
    .option('--drop', 'with --retain: drop those partitions, rows and all, instead of detaching them')
    .option('--dry-run', 'list what would be created, detached or dropped; change nothing')
    .action(async (flags: PartitionsFlags) => (await import('../src/cli/partitions-command.js')).runEnsurePartitions(flags));
  return program;
}

const FLAG_OPERATIONS = new Set(['partitions.ensure', 'migrateDown']);

/** An option's path as its flag: `dryRun` → `--dry-run`. */
const flagOf = (path: ReadonlyArray<string | number>) => (path.length === 0 ? 'options' : `--${String(path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}${path.slice(1).map((p) => `.${p}`).join('')}`);

/** What `main` prints of a failure. */
function failureText(error: unknown): string {
  // The operations' options are the commands' flags.
  if (error instanceof InvalidInputError && FLAG_OPERATIONS.has(error.operation)) return error.issues.map((issue) => `${flagOf(issue.path)}: ${issue.message}`).join('; ');
  if (error instanceof PolystoreError) return error.message;
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  const message = messageOf(error);
  return `${message}${cause instanceof Error && !message.includes(cause.message) ? `: ${cause.message}` : ''}`;
}

/** Every failure is one line naming what went wrong (the stack only with DEBUG set), and exit code 1. */
export async function main(argv: string[]): Promise<void> {
  try {
    await cliProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = 1;
    // A log keeps one line per failure: a schema's list of problems, a driver's or a module's message of several lines too.
    console.error(`polystore: ${oneLine(failureText(error))}`);
    if (process.env.DEBUG) console.error(error);
  }
}
