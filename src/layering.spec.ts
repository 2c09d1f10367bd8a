import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** The bottom three: open to every folder above them (the browser program excepted). */
const BASE = ['common', 'config', 'contract'] as const;

/**
 * Who may import whom, between the top-level folders of src/ (README, "Architecture"). Read from
 * the import statements of every .ts file under src/, so a new import that goes up a layer, or
 * closes a loop between folders, fails here before review. Each row lists every folder the
 * folder may import; within a folder anything goes. Lower layers first.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  // The API's view types, shared with the console's browser code: imports nothing, type-only.
  contract: [],
  common: ['contract'],
  config: ['common', 'contract'],
  // The Prometheus registry and its listener: every feature below may count into it.
  metrics: [...BASE],
  audit: [...BASE],
  users: [...BASE, 'audit'],
  // Owns groups and group_members (checks members against users/); users/ READS them for a user's groups and effective licenses.
  groups: [...BASE, 'audit', 'users'],
  // Creates a tenant with its first admin (users/) and its settings row.
  tenancy: [...BASE, 'audit', 'users'],
  auth: [...BASE, 'metrics', 'audit', 'users', 'tenancy'],
  saml: [...BASE, 'metrics', 'audit', 'users', 'tenancy', 'auth'],
  // Not saml/: SCIM's "SAML must be set up" reads the settings row itself.
  scim: [...BASE, 'metrics', 'audit', 'users', 'groups', 'tenancy'],
  // Above saml/ and scim/: composes the settings object from their halves.
  settings: [...BASE, 'tenancy', 'saml', 'scim'],
  housekeeping: [...BASE, 'auth', 'saml', 'scim'],
  health: [...BASE],
  console: [...BASE, 'tenancy'],
  // The browser program (its own tsconfig): the contract's types and nothing of the server.
  'console/client': ['contract'],
  // The data source lists every module's entities, so it sits above them.
  database: [...BASE, 'metrics', 'audit', 'users', 'tenancy'],
  // src/app.module.ts, the root module.
  app: [...BASE, 'metrics', 'database', 'audit', 'users', 'groups', 'tenancy', 'auth', 'settings', 'saml', 'scim', 'health', 'housekeeping', 'console'],
  bootstrap: [...BASE, 'metrics', 'app', 'database', 'auth', 'saml', 'scim', 'console'],
};

/** Processes, not layers: they start the application and may import any folder. Nothing imports them. */
const ENTRY_POINTS = ['main.ts', 'cli.ts', 'cli-password.ts', 'cli-password.spec.ts', 'layering.spec.ts', 'database/migrate.ts', 'tools/'];

const SRC = resolve(import.meta.dirname);

interface ImportStatement {
  file: string;
  specifier: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Static imports and re-exports (also multi-line), side-effect imports and dynamic import(). */
function importsOf(file: string): ImportStatement[] {
  const text = readFileSync(file, 'utf8');
  const found: ImportStatement[] = [];
  for (const m of text.matchAll(/^[ \t]*(?:import|export)[ \t]+(type[ \t]+)?[^'";]*?from[ \t]*['"]([^'"]+)['"]/gm)) {
    found.push({ file, specifier: m[2]!, typeOnly: m[1] !== undefined });
  }
  for (const m of text.matchAll(/^[ \t]*import[ \t]*['"]([^'"]+)['"]/gm)) found.push({ file, specifier: m[1]!, typeOnly: false });
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ file, specifier: m[1]!, typeOnly: false });
  return found;
}

/** The layer of a path under src/, or null for an entry point. */
function layerOf(path: string): string | null {
  const rel = relative(SRC, path).split(sep).join('/');
  if (ENTRY_POINTS.some((e) => (e.endsWith('/') ? rel.startsWith(e) : rel === e || rel === e.replace(/\.ts$/, '.js')))) return null;
  if (rel.startsWith('console/client/')) return 'console/client';
  if (!rel.includes('/')) return rel.replace(/\.(ts|js)$/, '') === 'app.module' ? 'app' : `(src root: ${rel})`;
  return rel.slice(0, rel.indexOf('/'));
}

interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
  typeOnly: boolean;
}

/** Every import from one layer into another, for imports that stay inside src/. */
function crossLayerEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    if (from === null) continue;
    for (const imp of importsOf(file)) {
      if (!imp.specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), imp.specifier);
      if (!target.startsWith(SRC + sep)) continue; // test/ helpers used by unit specs
      const to = layerOf(target);
      if (to === null) throw new Error(`${relative(SRC, file)} imports the entry point ${imp.specifier}`);
      if (to !== from) edges.push({ from, to, file: relative(SRC, file), specifier: imp.specifier, typeOnly: imp.typeOnly });
    }
  }
  return edges;
}

/** A loop in the folder graph (as a path a → b → … → a), or null. */
function findCycle(edges: Edge[]): string[] | null {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    state.set(node, 'open');
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (state.get(to) === 'open') return [...stack.slice(stack.indexOf(to)), to];
      if (!state.has(to)) {
        const cycle = visit(to);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of next.keys()) {
    if (!state.has(node)) {
      const cycle = visit(node);
      if (cycle) return cycle;
    }
  }
  return null;
}

describe('layering of src/', () => {
  const edges = crossLayerEdges();
  const show = (e: Edge) => `${e.file}: ${e.specifier} (${e.from} → ${e.to})`;

  it('finds the imports it checks (the scan itself works)', () => {
    expect(edges.some((e) => e.from === 'settings' && e.to === 'saml')).toBe(true);
    expect(edges.some((e) => e.from === 'console/client' && e.to === 'contract' && e.typeOnly)).toBe(true);
  });

  it('gives every folder of src/ a row in the table', () => {
    const layers = new Set(sourceFiles(SRC).map(layerOf).filter((l): l is string => l !== null));
    expect([...layers].filter((l) => !(l in MAY_IMPORT))).toEqual([]);
  });

  it('has no import loop between folders', () => {
    expect(findCycle(edges)).toBeNull();
  });

  it('imports only downward, as the table allows', () => {
    const refused = edges.filter((e) => !(MAY_IMPORT[e.from] ?? []).includes(e.to));
    expect(refused.map(show)).toEqual([]);
  });

  it('imports the contract as types only (it is a declaration file: nothing exists at run time)', () => {
    expect(edges.filter((e) => e.to === 'contract' && !e.typeOnly).map(show)).toEqual([]);
  });

  it('keeps the table itself free of loops', () => {
    const tableEdges = Object.entries(MAY_IMPORT).flatMap(([from, tos]) => tos.map((to) => ({ from, to, file: 'table', specifier: '', typeOnly: false })));
    expect(findCycle(tableEdges)).toBeNull();
  });
});
