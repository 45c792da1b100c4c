import type { SchemaIssue, SchemaIssueCode } from '../../src/errors.js';

export type Path = ReadonlyArray<string | number>;

/** Collects every problem of a schema so that all are reported at once. */
export class Issues {
  readonly list: SchemaIssue[] = [];

  add(code: SchemaIssueCode, path: Path, message: string): void {
    this.list.push({ code, path: [...path], message });
  }

  /** Reports keys a definition does not know (typos such as `dimensions`). */
  unknownKeys(value: object, allowed: readonly string[], path: Path): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.add('unknown_field', [...path, key], `unknown option "${key}" (expected one of: ${allowed.join(', ')})`);
      }
    }
  }

  /** Checks that `value` is an integer in [min, max]; returns whether it is. */
  intInRange(
    code: SchemaIssueCode,
    value: unknown,
    min: number,
    max: number,
    path: Path,
    what: string,
  ): value is number {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return true;
    this.add(code, path, `${what} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return false;
  }
}
