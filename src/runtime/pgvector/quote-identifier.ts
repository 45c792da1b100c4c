/** A PostgreSQL identifier, double-quoted. Identifiers come only from the validated schema; quoting keeps their case. */
export const quoteIdentifier = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

/** A PostgreSQL string literal (standard_conforming_strings, the default since 9.1): for DDL, which takes no parameters. */
export const quoteLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;
