/**
 * Typed filters. `polystore generate` emits one `…Where` interface per vector
 * collection from these pieces, so a misspelled field or a value of the wrong
 * type is a compile error.
 */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** Optional members take `| undefined` (an absent condition) so that they compile under exactOptionalPropertyTypes. */
interface Comparisons<V> {
  equals?: V | undefined;
  in?: readonly V[] | undefined;
  notIn?: readonly V[] | undefined;
  gt?: V | undefined;
  gte?: V | undefined;
  lt?: V | undefined;
  lte?: V | undefined;
}

export type StringFilter = string | Comparisons<string>;
export type NumberFilter = number | Comparisons<number>;
export type DateFilter = Date | Comparisons<Date>;
export type BooleanFilter = boolean | { equals?: boolean | undefined };
export type EnumFilter<E extends string> = E | { equals?: E | undefined; in?: readonly E[] | undefined; notIn?: readonly E[] | undefined };
/** `path` equality (`metadata->'a'->'b' = value`) or containment (`metadata @> value`). */
export type JsonFilter = { path: readonly string[]; equals: JsonPrimitive } | { contains: { [key: string]: JsonValue } | JsonValue[] };

/** Combinators every `…Where` interface has. */
export interface WhereCombinators<W> {
  AND?: readonly W[] | undefined;
  OR?: readonly W[] | undefined;
  NOT?: readonly W[] | undefined;
}
