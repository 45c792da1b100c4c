/**
 * What keyword search needs of a live collection: the text field's analyzer (another one finds other terms) and
 * the BM25 function that fills the sparse field from it (without it, nothing is searchable by text).
 */
import type { MilvusFieldSpec, MilvusFunctionSpec } from '../contract/milvus-spec.js';

export interface LiveFunction {
  name: string;
  type: string | number;
  input_field_names: string[];
  output_field_names: string[];
}

/** How a live field's analyzer differs from the spec's, given its type parameters. */
export function analyzerDifferences(param: (key: string) => string | undefined, field: MilvusFieldSpec): string[] {
  const analyzer = param('analyzer_params');
  const differences: string[] = [];
  if ((param('enable_analyzer')?.toLowerCase() === 'true') !== Boolean(field.enable_analyzer)) {
    differences.push(field.enable_analyzer ? 'no analyzer, expected one (keyword search)' : 'an analyzer, expected none');
  }
  if (field.analyzer_params && !sameJson(analyzer, field.analyzer_params)) differences.push(`analyzer ${analyzer ?? 'default'}, expected ${JSON.stringify(field.analyzer_params)}`);
  return differences;
}

/** Each function of the spec, as the spec has it, and none other. */
export function functionProblems(liveFunctions: readonly LiveFunction[], expected: readonly MilvusFunctionSpec[]): string[] {
  const live = new Map(liveFunctions.map((fn) => [fn.name, fn]));
  const describe = (fn: LiveFunction | MilvusFunctionSpec) => `${fn.type} ${fn.input_field_names.join(', ')} → ${fn.output_field_names.join(', ')}`;
  const problems: string[] = [];
  for (const fn of expected) {
    const found = live.get(fn.name);
    live.delete(fn.name);
    if (!found) problems.push(`function "${fn.name}" (${describe(fn)}) is missing`);
    else if (describe(found) !== describe(fn)) problems.push(`function "${fn.name}": ${describe(found)}, expected ${describe(fn)}`);
  }
  for (const extra of live.values()) problems.push(`function "${extra.name}" (${describe(extra)}) is not in the schema`);
  return problems;
}

/** Whether a live JSON parameter says what the spec does, whatever its spacing and key order. */
function sameJson(live: string | undefined, expected: unknown): boolean {
  if (live === undefined) return false;
  try {
    return canonical(JSON.parse(live)) === canonical(expected);
  } catch {
    return false;
  }
}

const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value !== null && typeof value === 'object'
      ? `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`
      : JSON.stringify(value);
