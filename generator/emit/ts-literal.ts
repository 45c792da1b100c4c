/** TypeScript source literals for values taken from the schema. */
export function tsLiteral(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A PostgreSQL string literal (standard_conforming_strings: only quotes are special). */
export function sqlStringLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('PostgreSQL string literals cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}

/** Text placed inside a TypeScript template literal, escaped for it. */
export function inTemplate(text: string): string {
  return text.replace(/[`\\]|\$\{/g, (match) => `\\${match}`);
}
