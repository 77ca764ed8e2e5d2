import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { formatConfigPath, interpolateEnv } from '@app/common';
import { catalogSchema } from '@app/routing';

export interface CatalogIssue {
  /** `models[2].deployments[0].provider`, as the gateway names it. */
  path: string;
  message: string;
  /** 1-based position of the offending node (or its nearest parent present in the file). */
  line?: number;
  column?: number;
}

export interface CatalogCheck {
  file: string;
  ok: boolean;
  errors: CatalogIssue[];
  warnings: string[];
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g;

/**
 * Validates a catalog file offline, with the gateway's own schema (`catalogSchema` from routing), and
 * locates each error in the file. Secrets referenced as `${NAME}` are usually not set where the check
 * runs: such a reference is a warning and validated as a placeholder, so the rest is still checked.
 */
export function checkCatalogFile(file: string, env: NodeJS.ProcessEnv): CatalogCheck {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return failed(file, [{ path: '(file)', message: (error as Error).message }]);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    return failed(
      file,
      document.errors.map((error) => ({
        path: '(yaml)',
        message: error.message.split('\n')[0],
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
      })),
    );
  }
  const raw: unknown = document.toJS() ?? {};
  const unset = unsetReferences(raw, env);
  const placeholders = Object.fromEntries(unset.map((name) => [name, `unset-${name}`]));
  const result = catalogSchema.safeParse(interpolateEnv(raw, { ...env, ...placeholders }));
  const warnings = unset.map((name) => `\${${name}} is not set here; the gateway needs it in its environment`);
  if (!result.success) {
    const errors = result.error.issues.map((issue) => {
      const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
      return { path: formatConfigPath(path), message: issue.message, ...position(document, lineCounter, path) };
    });
    return { file, ok: false, errors, warnings };
  }
  const unpriced = result.data.models
    .filter((model) => !model.pricing && model.deployments.every((deployment) => !deployment.pricing))
    .map((model) => model.name);
  if (unpriced.length > 0) {
    warnings.push(`models without a price (served, but budgets cannot limit them): ${unpriced.join(', ')}`);
  }
  return { file, ok: true, errors: [], warnings };
}

function failed(file: string, errors: CatalogIssue[]): CatalogCheck {
  return { file, ok: false, errors, warnings: [] };
}

/** `${NAME}` references without a default whose variable is not set. */
function unsetReferences(value: unknown, env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  const visit = (node: unknown) => {
    if (typeof node === 'string') {
      for (const [, name, fallback] of node.matchAll(ENV_REFERENCE)) {
        if (fallback === undefined && !env[name]) names.add(name);
      }
    } else if (node && typeof node === 'object') {
      Object.values(node).forEach(visit);
    }
  };
  visit(value);
  return [...names];
}

/** Where the path points in the file; a missing field is reported at the nearest parent that is there. */
function position(
  document: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  path: ReadonlyArray<string | number>,
): { line?: number; column?: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) {
      const { line, col } = lineCounter.linePos(range[0]);
      return { line, column: col };
    }
  }
  return {};
}
