/** An operation's options object checked whole: every problem listed, each with its path (INVALID_INPUT). */
import { InputIssues, describe, isPlainObject } from '../runtime/validate.js';

/** A value's problem, or undefined. */
export type Rule = (value: unknown) => string | undefined;

export const isBoolean: Rule = (value) => (typeof value === 'boolean' ? undefined : `expected true or false, got ${describe(value)}`);
export const isText: Rule = (value) => (typeof value === 'string' && value.length > 0 ? undefined : `expected a non-empty string, got ${describe(value)}`);
export const integerFrom = (min: number, max: number): Rule => (value) =>
  Number.isInteger(value) && (value as number) >= min && (value as number) <= max ? undefined : `expected an integer from ${min} to ${max}, got ${describe(value)}`;

/**
 * Undefined options are none; anything else must be a plain object whose keys the shape knows (a misspelled
 * `dryrun` must not run the real thing). `more` adds the checks across options.
 */
export function checkOperationOptions(operation: string, options: unknown, shape: Record<string, Rule>, more?: (options: Record<string, unknown>, issues: InputIssues) => void): void {
  const issues = new InputIssues();
  if (options !== undefined && !isPlainObject(options)) issues.add('INVALID_INPUT', [], `expected an options object, got ${describe(options)}`);
  else if (options !== undefined) {
    for (const [key, value] of Object.entries(options)) {
      const rule = Object.hasOwn(shape, key) ? shape[key] : undefined;
      const problem = rule ? (value === undefined ? undefined : rule(value)) : `unknown option (expected ${Object.keys(shape).join(', ')})`;
      if (problem) issues.add('INVALID_INPUT', [key], problem);
    }
    more?.(options, issues);
  }
  issues.throwIfAny(operation);
}
