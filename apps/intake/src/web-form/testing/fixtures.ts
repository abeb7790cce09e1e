import { meetsWork } from '../pow.service';

/** A few bytes that sniff as each image type (the magic bytes, then filler). */
export const images = {
  jpeg: Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]),
    Buffer.alloc(200, 7),
  ]),
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 3)]),
  webp: Buffer.concat([
    Buffer.from('RIFF'),
    Buffer.from([0x24, 0, 0, 0]),
    Buffer.from('WEBPVP8 '),
    Buffer.alloc(100, 1),
  ]),
  heic: Buffer.concat([
    Buffer.from([0, 0, 0, 0x18]),
    Buffer.from('ftypheic'),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from('mif1heic'),
    Buffer.alloc(100, 2),
  ]),
};

const LIMIT = 1 << 24;

/** The nonce a browser's pow.js would find (bounded search). */
export function solve(challenge: string, bits: number): string {
  for (let n = 0; n < LIMIT; n++) if (meetsWork(challenge, String(n), bits)) return String(n);
  throw new Error(`no nonce for ${bits} bits within ${LIMIT} tries`);
}

/** A nonce that does not do the work (so a test of refusal cannot pass by luck). */
export function unsolved(challenge: string, bits: number): string {
  for (let n = 0; n < LIMIT; n++) if (!meetsWork(challenge, String(n), bits)) return String(n);
  throw new Error('every nonce works');
}

/** The value of a named hidden/text input in a rendered page. */
export function inputValue(page: string, name: string): string {
  const m = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(page);
  if (!m) throw new Error(`no input ${name} in the page`);
  return m[1]!;
}
