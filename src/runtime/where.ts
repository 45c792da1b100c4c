/**
 * Typed filters. `polystore generate` emits one `…Where` interface per vector
 * collection from these pieces, so a misspelled field or a value of the wrong
 * type is a compile error.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

interface Comparisons<V> {
  equals?: V;
  in?: readonly V[];
  notIn?: readonly V[];
  gt?: V;
  gte?: V;
  lt?: V;
  lte?: V;
}

export type StringFilter = string | Comparisons<string>;
export type NumberFilter = number | Comparisons<number>;
export type DateFilter = Date | Comparisons<Date>;
export type BooleanFilter = boolean | { equals?: boolean };
export type EnumFilter<E extends string> = E | { equals?: E; in?: readonly E[]; notIn?: readonly E[] };
/** `path` equality (`metadata->'a'->'b' = value`) or containment (`metadata @> value`). */
export type JsonFilter = { path: readonly string[]; equals: JsonPrimitive } | { contains: { [key: string]: JsonValue } | JsonValue[] };

/** Combinators every `…Where` interface has. */
export interface WhereCombinators<W> {
  AND?: readonly W[];
  OR?: readonly W[];
  NOT?: readonly W[];
}
