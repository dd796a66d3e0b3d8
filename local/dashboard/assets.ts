import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import type { HttpResponse } from '../protocol/http.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The dashboard's own modules: TypeScript compiled on first request, plain JavaScript as it is (no build step, no CDN). */
const MODULES: Readonly<Record<string, string>> = {
  '/_local/dashboard/app.js': path.join(here, 'app.js'),
  '/_local/dashboard/journeys.js': path.join(here, 'journeys.ts'),
};

/** The graph layout library, served from node_modules. */
function dagrePath(): string {
  // The package exports its CommonJS build; the self-contained ES module sits beside it.
  return path.join(path.dirname(createRequire(import.meta.url).resolve('@dagrejs/dagre')), 'dagre.esm.js');
}

/** Serves the dashboard's scripts; `undefined` for any other path. */
export function dashboardAssets(): (requestPath: string) => Promise<HttpResponse | undefined> {
  const cache = new Map<string, Promise<string>>();
  const compile = async (file: string) => {
    const source = await readFile(file, 'utf8');
    return file.endsWith('.ts') ? (await transform(source, { loader: 'ts', format: 'esm', target: 'es2022' })).code : source;
  };
  return async (requestPath) => {
    let load: (() => Promise<string>) | undefined;
    if (requestPath in MODULES) load = () => compile(MODULES[requestPath]!);
    else if (requestPath === '/_local/vendor/dagre.js') load = () => readFile(dagrePath(), 'utf8');
    if (!load) return undefined;
    let body = cache.get(requestPath);
    if (!body) {
      body = load();
      cache.set(requestPath, body);
      body.catch(() => cache.delete(requestPath));
    }
    return { statusCode: 200, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }, body: await body };
  };
}
