import { IndentationText, Project, QuoteKind, type SourceFileStructure } from 'ts-morph';

const project = new Project({
  useInMemoryFileSystem: true,
  manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
});

/** Prints a source file structure through ts-morph. */
export function renderTypeScript(structure: SourceFileStructure): string {
  const file = project.createSourceFile('/render.ts', structure, { overwrite: true });
  const text = file.getFullText();
  project.removeSourceFile(file);
  return text;
}
