import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * The layers, lowest first: a file may import its own layer and the layers before it, never one
 * after it. Serving code (runtime up to modules) so never reaches the fixture world, the
 * evaluation harness or the CLI. Paths are relative to the repository root.
 */
const LAYERS: ReadonlyArray<{ name: string; paths: readonly string[] }> = [
  { name: 'base', paths: ['src/package-root.ts'] },
  { name: 'runtime', paths: ['src/runtime'] },
  // Read by the daemon's layers; it reads only runtime's default thread count.
  { name: 'config', paths: ['src/config'] },
  { name: 'models', paths: ['src/models'] },
  { name: 'editors', paths: ['src/editors'] },
  // The system of record's schema (migrations/) belongs to the edit memory.
  { name: 'memory', paths: ['src/memory', 'migrations'] },
  // The NestJS application: its modules, the guards they share (the design card puts them beside
  // the modules; the API-key guard listens to the edits module's events) and the app itself.
  { name: 'modules', paths: ['src/modules', 'src/guards', 'src/app.module.ts', 'src/server.ts'] },
  { name: 'world', paths: ['src/world'] },
  { name: 'eval', paths: ['src/eval'] },
  { name: 'cli', paths: ['src/cli'] },
];

/**
 * Upward imports that stay, each with its reason: importer → imported path (no extension).
 * Every entry must still be needed (the last test fails on a stale one).
 */
const ALLOWED: ReadonlyArray<{ from: string; to: string; why: string }> = [];

const ROOT = join(__dirname, '..');

/** The repository-relative path in POSIX form ("src/editors/edit-method.ts"). */
const repoPath = (absolute: string): string => relative(ROOT, absolute).split(sep).join('/');

/** The layer a repository path (with or without its extension) belongs to, or undefined. */
function layerOf(path: string): { name: string; rank: number } | undefined {
  const bare = path.replace(/\.(ts|js|json)$/, '');
  for (const [rank, layer] of LAYERS.entries()) {
    for (const p of layer.paths) {
      const root = p.replace(/\.ts$/, '');
      if (bare === root || bare.startsWith(`${root}/`)) return { name: layer.name, rank };
    }
  }
  return undefined;
}

/**
 * Every module a source file names: import and export-from declarations (type-only ones too),
 * `import x = require()`, `require()` and dynamic `import()` calls, and `import('…')` types.
 * Calls whose argument is not a literal are returned as null: they cannot be checked.
 */
function specifiersOf(fileName: string, text: string): Array<string | null> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Array<string | null> = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const e = node.moduleReference.expression;
      found.push(ts.isStringLiteralLike(e) ? e.text : null);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      const [argument] = node.arguments;
      found.push(argument && ts.isStringLiteralLike(argument) ? argument.text : null);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** What is wrong with one file's imports (an empty list when nothing is). `file` is repository-relative. */
function violationsOf(file: string, text: string, allowed: typeof ALLOWED = ALLOWED): string[] {
  const own = layerOf(file);
  if (!own) return [`${file} is in no layer: add its folder to LAYERS in src/layering.spec.ts`];
  const problems: string[] = [];
  for (const specifier of specifiersOf(file, text)) {
    if (specifier === null) {
      problems.push(`${file} imports a computed path, which cannot be checked`);
      continue;
    }
    if (!specifier.startsWith('.')) continue; // a package
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    if (target.startsWith('test/') || /\.spec(\.ts)?$/.test(target)) {
      problems.push(`${file} imports test code '${specifier}'`);
      continue;
    }
    const layer = layerOf(target);
    if (!layer) problems.push(`${file} imports '${specifier}', which is in no layer`);
    else if (layer.rank > own.rank && !allowed.some((a) => a.from === file && a.to === target.replace(/\.(ts|js|json)$/, ''))) {
      problems.push(`${file} (${own.name}) imports '${specifier}' (${layer.name}): ${own.name} may import only ${LAYERS.slice(0, own.rank + 1).map((l) => l.name).join(', ')}`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Spec files are not checked: they are never built into the daemon, and a method's test may run
 * it through the harness (eval/) to show it does what its paper says. Test helpers that specs
 * share and that are not themselves specs are checked like any other file in src/.
 */
const checkedFiles = (): string[] => sourceFiles(join(ROOT, 'src')).map(repoPath).filter((f) => !f.endsWith('.spec.ts'));

describe('layers import downward only', () => {
  it('every source file in src/ imports only its own layer and the layers below it', () => {
    const files = checkedFiles();
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) => violationsOf(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('names the file, the import and both layers of an upward import, in every import form', () => {
    const text = [
      "import { viewOf } from '../eval/applied-edits';",
      "import type { World } from '../world/types';",
      "export { main } from '../cli/main';",
      "export * from '../modules/facts/fact-input';",
      "const later = () => import('../memory/memory.module');",
      "const old = require('../eval/report');",
      "let t: typeof import('../eval/summary');",
      "import { mulberry32 } from '../runtime/random';",
      "import { z } from 'zod';",
      "import { loadTokenizer } from '../models/tokenizer';",
      "import type { EditRequest } from './edit-request';",
    ].join('\n');
    const problems = violationsOf('src/editors/example.ts', text, []);
    expect(problems).toEqual([
      "src/editors/example.ts (editors) imports '../eval/applied-edits' (eval): editors may import only base, runtime, config, models, editors",
      "src/editors/example.ts (editors) imports '../world/types' (world): editors may import only base, runtime, config, models, editors",
      "src/editors/example.ts (editors) imports '../cli/main' (cli): editors may import only base, runtime, config, models, editors",
      "src/editors/example.ts (editors) imports '../modules/facts/fact-input' (modules): editors may import only base, runtime, config, models, editors",
      "src/editors/example.ts (editors) imports '../memory/memory.module' (memory): editors may import only base, runtime, config, models, editors",
      "src/editors/example.ts (editors) imports '../eval/report' (eval): editors may import only base, runtime, config, models, editors",
      "src/editors/example.ts (editors) imports '../eval/summary' (eval): editors may import only base, runtime, config, models, editors",
    ]);
  });

  it('rejects test code, computed paths and files outside every layer', () => {
    expect(violationsOf('src/memory/x.ts', "import { files } from '../../test/e2e/support/files';", [])).toEqual(["src/memory/x.ts imports test code '../../test/e2e/support/files'"]);
    expect(violationsOf('src/eval/x.ts', "import { h } from './x.spec';", [])).toEqual(["src/eval/x.ts imports test code './x.spec'"]);
    expect(violationsOf('src/cli/x.ts', 'const m = import(name);', [])).toEqual(['src/cli/x.ts imports a computed path, which cannot be checked']);
    expect(violationsOf('src/extras/x.ts', '', [])).toEqual(['src/extras/x.ts is in no layer: add its folder to LAYERS in src/layering.spec.ts']);
    expect(violationsOf('src/cli/x.ts', "import { a } from '../../scripts/a';", [])).toEqual(["src/cli/x.ts imports '../../scripts/a', which is in no layer"]);
  });

  it('the layers are the ones in use, and every allowed upward import is still made', () => {
    expect(LAYERS.flatMap((l) => l.paths).filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
    const files = checkedFiles();
    const made = new Set(
      files.flatMap((file) =>
        specifiersOf(file, readFileSync(join(ROOT, file), 'utf8'))
          .filter((s): s is string => s !== null && s.startsWith('.'))
          .map((s) => `${file} -> ${posix.normalize(posix.join(posix.dirname(file), s))}`),
      ),
    );
    expect(ALLOWED.map((a) => `${a.from} -> ${a.to}`).filter((entry) => !made.has(entry))).toEqual([]);
  });
});
