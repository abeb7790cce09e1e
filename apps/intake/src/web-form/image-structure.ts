import type { ImageType } from './photos';

/** Larger pictures are refused: a phone photo is at most ~50 megapixels; beyond, decoding one is a memory bomb. */
export const MAX_IMAGE_PIXELS = 100_000_000;
const MAX_SIDE = 30_000;

export interface ImageShape {
  width: number;
  height: number;
}

/**
 * Reads an image's structure, not only its first bytes: the chunks, segments or boxes must be whole and in order and
 * the picture must have a size. A file that merely starts like an image (a renamed page or archive behind a JPEG
 * header), a truncated upload or a picture too large to decode gives the reason instead. Bytes after the image's end
 * (some cameras append their own data) are allowed.
 */
export function readImageShape(b: Buffer, type: ImageType): ImageShape | string {
  const shape =
    type === 'image/jpeg' ? jpeg(b) : type === 'image/png' ? png(b) : type === 'image/webp' ? webp(b) : isoBmff(b);
  if (typeof shape === 'string') return shape;
  if (shape.width < 1 || shape.height < 1) return 'has no picture size';
  if (shape.width > MAX_SIDE || shape.height > MAX_SIDE || shape.width * shape.height > MAX_IMAGE_PIXELS)
    return `is too large a picture (${shape.width}×${shape.height})`;
  return shape;
}

function jpeg(b: Buffer): ImageShape | string {
  let i = 2;
  let shape: ImageShape | null = null;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return 'is not a whole JPEG (a segment does not start where it should)';
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    if (marker === 0xd9) return 'is not a whole JPEG (it ends before its picture)';
    const length = b.readUInt16BE(i + 2);
    if (length < 2 || i + 2 + length > b.length) return 'is not a whole JPEG (a segment runs past its end)';
    // Start of frame (SOF0–SOF15 but DHT C4, JPG C8, DAC CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && length >= 7)
      shape = { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    if (marker === 0xda) {
      // Start of scan: the entropy-coded picture follows, up to the end-of-image marker.
      if (!shape) return 'is not a whole JPEG (no frame before its picture)';
      return b.indexOf(Buffer.from([0xff, 0xd9]), i + 2 + length) >= 0 ? shape : 'is not a whole JPEG (it was cut off)';
    }
    i += 2 + length;
  }
  return 'is not a whole JPEG (it was cut off)';
}

function png(b: Buffer): ImageShape | string {
  let i = 8;
  let shape: ImageShape | null = null;
  let first = true;
  while (i + 12 <= b.length) {
    const length = b.readUInt32BE(i);
    const type = b.toString('latin1', i + 4, i + 8);
    if (length > b.length - i - 12) return 'is not a whole PNG (a chunk runs past its end)';
    if (first) {
      if (type !== 'IHDR' || length !== 13) return 'is not a whole PNG (no header chunk)';
      shape = { width: b.readUInt32BE(i + 8), height: b.readUInt32BE(i + 12) };
      first = false;
    }
    if (type === 'IEND') return shape ?? 'is not a whole PNG (no header chunk)';
    i += 12 + length;
  }
  return 'is not a whole PNG (it was cut off)';
}

function webp(b: Buffer): ImageShape | string {
  const riffEnd = 8 + b.readUInt32LE(4);
  if (riffEnd > b.length) return 'is not a whole WebP (it was cut off)';
  const chunk = b.toString('latin1', 12, 16);
  const at = 20;
  if (chunk === 'VP8X' && riffEnd >= at + 10)
    return { width: 1 + b.readUIntLE(at + 4, 3), height: 1 + b.readUIntLE(at + 7, 3) };
  if (chunk === 'VP8L' && riffEnd >= at + 5 && b[at] === 0x2f) {
    const bits = b.readUInt32LE(at + 1);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  if (chunk === 'VP8 ' && riffEnd >= at + 10 && b[at + 3] === 0x9d && b[at + 4] === 0x01 && b[at + 5] === 0x2a)
    return { width: b.readUInt16LE(at + 6) & 0x3fff, height: b.readUInt16LE(at + 8) & 0x3fff };
  return 'is not a whole WebP (no picture chunk)';
}

/** HEIC/HEIF: top-level boxes, whole, with the metadata ('meta') that holds the picture's size and the data ('mdat'). */
function isoBmff(b: Buffer): ImageShape | string {
  let i = 0;
  const seen = new Set<string>();
  let shape: ImageShape | null = null;
  while (i + 8 <= b.length) {
    let size = b.readUInt32BE(i);
    const type = b.toString('latin1', i + 4, i + 8);
    let header = 8;
    if (size === 1) {
      if (i + 16 > b.length) break;
      size = Number(b.readBigUInt64BE(i + 8));
      header = 16;
    } else if (size === 0) size = b.length - i;
    if (size < header || i + size > b.length) return 'is not a whole HEIC/HEIF (a box runs past its end)';
    seen.add(type);
    if (type === 'meta') shape = ispe(b.subarray(i + header, i + size)) ?? shape;
    i += size;
  }
  if (!seen.has('ftyp') || !seen.has('meta') || !seen.has('mdat'))
    return 'is not a whole HEIC/HEIF (its picture or metadata box is missing)';
  return shape ?? 'is not a whole HEIC/HEIF (no picture size)';
}

/** The first image spatial extents ('ispe': version/flags, width, height) inside a meta box. */
function ispe(meta: Buffer): ImageShape | null {
  const at = meta.indexOf('ispe', 0, 'latin1');
  if (at < 4 || at + 16 > meta.length) return null;
  return { width: meta.readUInt32BE(at + 8), height: meta.readUInt32BE(at + 12) };
}
