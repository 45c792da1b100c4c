import { IndentationText, Project, QuoteKind, type SourceFileStructure } from 'ts-morph';

const project = new Project({
  useInMemoryFileSystem: true,
  manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
});

/** Prints a source file structure through ts-morph. */
export function renderTypeScript(structure: SourceFileStructure): string {
  const file = project.createSourceFile('/render.ts', structure, { overwrite: true });
  // A schema without documents (say) still gives a module, so that `export *` of it compiles.
  if (file.getImportDeclarations().length === 0 && file.getExportSymbols().length === 0) file.addExportDeclaration({});
  const text = file.getFullText();
  project.removeSourceFile(file);
  return text;
}
