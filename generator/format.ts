import { format } from 'prettier';
import type { SourceFileStructure } from 'ts-morph';
import { renderTypeScript } from './emit/render.js';

/** Generated TypeScript in the project's house style; prettier is pinned, so the bytes are stable. */
export function formatTypeScript(structure: SourceFileStructure): Promise<string> {
  return format(renderTypeScript(structure), { parser: 'typescript', singleQuote: true, printWidth: 120, trailingComma: 'all' });
}
