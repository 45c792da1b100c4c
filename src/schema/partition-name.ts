/** `YYYY-MM` of a month counted from January of year 0: the generator's and the runtime's. */
export function monthText(month: number): string {
  return `${String(Math.floor(month / 12)).padStart(4, '0')}-${String((month % 12) + 1).padStart(2, '0')}`;
}

/** A monthly partition's name (`events_y2026m01`), or the DEFAULT partition's: the generator's and the runtime's. */
export function partitionName(table: string, month?: string): string {
  return month ? `${table}_y${month.replace('-', 'm')}` : `${table}_default`;
}
