/** A PostgreSQL identifier, double-quoted. Identifiers come only from the validated schema; quoting keeps their case. */
export const quoteIdentifier = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;
