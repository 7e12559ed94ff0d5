import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The operator console, built by `npm run build` into web/dist (Vite); served at `/` with no CDN. */
export interface ConsoleFile {
  readonly body: Buffer;
  readonly headers: Record<string, string>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

// The page loads only its own scripts and talks only to this service (HTTP and graphql-ws).
const POLICY =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** web/dist, found from this module both as source (src/http) and as built (dist/src/http). */
function distFolder(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'web', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  return null;
}

/**
 * Every file of the built console by URL path, read once: only these paths are served, so no
 * request path reaches the file system. Null when the console was not built.
 */
export function loadConsole(): Map<string, ConsoleFile> | null {
  const root = distFolder();
  if (!root) return null;
  const files = new Map<string, ConsoleFile>();
  const index = readFileSync(join(root, 'index.html'));
  files.set('/', {
    body: index,
    headers: { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache', 'content-security-policy': POLICY },
  });
  const assets = join(root, 'assets');
  for (const name of existsSync(assets) ? readdirSync(assets) : []) {
    // Vite names assets by content hash: they can be cached for good.
    files.set(`/assets/${name}`, {
      body: readFileSync(join(assets, name)),
      headers: {
        'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
      },
    });
  }
  return files;
}
