/** A monthly partition's name (`events_y2026m01`), or the DEFAULT partition's: the generator's and the runtime's. */
export function partitionName(table: string, month?: string): string {
  return month ? `${table}_y${month.replace('-', 'm')}` : `${table}_default`;
}
