import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/**
 * The console's files (apps/intake/console): next to the sources under ts-node and jest, copied beside
 * the compiled app by `nest build` (nest-cli.json assets) in dist/ and the image.
 */
export function consoleDir(): string {
  const candidates = [resolve(__dirname, '../../console')];
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!found) throw new Error(`console files not found (looked in ${candidates.join(', ')}); run \`npm run build\``);
  return found;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every servable file, read once at boot (a few dozen small files): path under /console → bytes, type, ETag. */
export function loadConsoleAssets(dir = consoleDir()): Map<string, ConsoleAsset> {
  const assets = new Map<string, ConsoleAsset>();
  for (const file of walk(dir)) {
    const contentType = types[extname(file)];
    if (!contentType) continue; // tsconfig.json of the type check and the like stay private
    const body = readFileSync(file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(relative(dir, file).split(sep).join('/'), { body, contentType, etag });
  }
  return assets;
}
