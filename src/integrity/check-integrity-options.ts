/** `db.integrity.check()` and `.sweep()`'s options, checked whole before anything is read: every problem with its path. */
import { between, type Check } from '../runtime/checks/check-options.js';
import { checkOperationOptions, isBoolean } from '../runtime/checks/check-operation-options.js';
import { describe, signalProblem } from '../runtime/checks/validate.js';

/** 100,000 years: a longer grace would reach before the earliest time a Date holds. */
export const MAX_GRACE_MS = 100_000 * 365.25 * 86_400_000;
const date: Check = (value) => (value instanceof Date && !Number.isNaN(value.getTime()) ? undefined : `expected a valid Date, got ${describe(value)}`);
const fn: Check = (value) => (typeof value === 'function' ? undefined : `expected a function, got ${describe(value)}`);

export function checkIntegrityOptions(operation: 'integrity.check' | 'integrity.sweep', options: unknown, linked: readonly string[]): void {
  const collection: Check = (value) =>
    linked.includes(value as string) ? undefined : `expected a collection linked to documents (${linked.map((name) => JSON.stringify(name)).join(', ') || 'none: no vector field is f.ref(model)'}), got ${describe(value)}`;
  const shape: Record<string, Check> = { collection, since: date, until: date, batchSize: between(1, 10_000, true), signal: signalProblem, onProgress: fn, onOrphans: fn };
  const sweep: Record<string, Check> = operation === 'integrity.sweep' ? { olderThanMs: between(0, MAX_GRACE_MS), dryRun: isBoolean, onWait: fn } : {};
  // A sweep's options are required (its grace period is): undefined is checked as {}.
  checkOperationOptions(operation, operation === 'integrity.sweep' ? (options ?? {}) : options, { ...shape, ...sweep }, (given, issues) => {
    if (given.since instanceof Date && given.until instanceof Date && given.since >= given.until) issues.add('INVALID_INPUT', ['until'], 'until must be after since');
    if (operation === 'integrity.sweep' && given.olderThanMs === undefined) issues.add('INVALID_INPUT', ['olderThanMs'], 'a sweep needs its grace period, olderThanMs: an orphan written more recently is kept (its document may be on its way)');
  });
}
