import { join } from 'node:path';
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget } from 'ts-morph';
import { PolystoreError } from '../src/errors.js';
import { packageRoot } from './package-root.js';

/**
 * Type-checks the generated TypeScript before anything is written (strict,
 * ES modules). The files sit in memory under polystore's own folder, so that
 * `polystore/runtime` and drizzle-orm resolve as they will for the user.
 */
export function compileGate(files: ReadonlyMap<string, string>): void {
  const root = join(packageRoot, '.polystore-compile-gate');
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ScriptTarget.ES2022,
      module: ModuleKind.ESNext,
      moduleResolution: ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts'],
      types: [],
    },
  });
  // generated/index.ts finds drizzle/ through import.meta.url; Node's types declare it, when the project has them.
  project.createSourceFile(join(root, 'import-meta.d.ts'), 'interface ImportMeta { url: string }', { overwrite: true });
  for (const [path, text] of files) {
    if (path.endsWith('.ts')) project.createSourceFile(join(root, path), text, { overwrite: true });
  }
  const diagnostics = project.getPreEmitDiagnostics().filter((d) => d.getSourceFile()?.getFilePath().startsWith(root) ?? true);
  if (diagnostics.length > 0) {
    const text = diagnostics
      .map((diagnostic) => {
        const file = diagnostic.getSourceFile()?.getFilePath().replace(`${root}/`, '') ?? '(compiler)';
        const message = diagnostic.getMessageText();
        const flat = typeof message === 'string' ? message : message.getMessageText();
        return `  ${file}:${diagnostic.getLineNumber() ?? 0} - error TS${diagnostic.getCode()}: ${flat}`;
      })
      .join('\n');
    throw new PolystoreError('GENERATED_CODE_INVALID', `The generated TypeScript does not compile; nothing was written.\n${text}`);
  }
}
