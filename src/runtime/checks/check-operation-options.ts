/** An operation's options object checked whole, as createPolystore's are: every problem listed, each with its path (INVALID_INPUT). */
import { between, type Check, checkObject, object } from './check-options.js';
import { describe, InputIssues, isPlainObject, signalProblem } from './validate.js';
import { MAX_TIMER_MS } from '../contract/options.js';

/** An operation's `signal` and `timeoutMs`. */
export const CANCELLABLE: Record<string, Check> = { signal: signalProblem, timeoutMs: between(1, MAX_TIMER_MS, true) };

export const isBoolean: Check = (value) => (typeof value === 'boolean' ? undefined : `expected true or false, got ${describe(value)}`);

/**
 * Undefined options are none; anything else must be a plain object whose keys the shape knows (a misspelled
 * `dryrun` must not run the real thing). `more` adds the checks across options.
 */
export function checkOperationOptions(operation: string, options: unknown, shape: Record<string, Check>, more?: (options: Record<string, unknown>, issues: InputIssues) => void): void {
  if (options === undefined) return;
  const issues = new InputIssues();
  checkObject(issues, options, object(shape), [], 'INVALID_INPUT');
  if (isPlainObject(options)) more?.(options, issues);
  issues.throwIfAny(operation);
}
