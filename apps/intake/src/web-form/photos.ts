import { createHash } from 'node:crypto';
import type { FieldProblem } from '@kefu/shared';
import { readImageShape } from './image-structure';
import type { UploadedPart, UploadProblem } from './uploads';

export const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
export const PHOTO_MAX_COUNT = 5;

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | 'image/heif';

const extension: Record<ImageType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
};
const heicBrands = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
const heifBrands = new Set(['mif1', 'msf1']);

/** The image type by its magic bytes; the name and the declared type are the sender's word, not evidence. */
export function sniffImage(b: Buffer): ImageType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'image/webp';
  // ISO base media file: [size]['ftyp'][major brand][minor version][compatible brands…]
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') {
    const boxEnd = Math.min(b.readUInt32BE(0), b.length, 64);
    const brands = [b.toString('latin1', 8, 12)];
    for (let i = 16; i + 4 <= boxEnd; i += 4) brands.push(b.toString('latin1', i, i + 4));
    if (brands.some((x) => heicBrands.has(x))) return 'image/heic';
    if (brands.some((x) => heifBrands.has(x))) return 'image/heif';
  }
  return null;
}

/** A checked photo, ready to be stored as an attachment. */
export interface CheckedPhoto {
  filename: string;
  contentType: ImageType;
  size: number;
  sha256: string;
  data: Buffer;
}

/** A name safe to store and show: no path, no control characters, at most 200 characters, the real extension. */
export function safeFilename(original: string, index: number, type: ImageType): string {
  const base = (original.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '')
    .trim()
    .slice(0, 200);
  if (!base || base === '.' || base === '..') return `photo-${index + 1}.${extension[type]}`;
  return base;
}

export const uploadProblemMessage: Record<UploadProblem, string> = {
  too_large: `每张照片不能超过${PHOTO_MAX_BYTES / 1024 / 1024}MB`,
  too_many: `最多上传${PHOTO_MAX_COUNT}张照片`,
  malformed: '照片上传不完整，请重新选择后再提交',
};

/**
 * Checks photos: images only (by magic bytes, then their whole structure: `readImageShape`), each at most 10 MB,
 * at most `max`. Empty file parts (a
 * file input left blank still sends one) are ignored.
 */
export function checkPhotos(
  parts: UploadedPart[],
  field: string,
  opts: { max?: number; problem?: UploadProblem | null } = {},
): { photos: CheckedPhoto[]; problems: FieldProblem[] } {
  const max = opts.max ?? PHOTO_MAX_COUNT;
  const problems: FieldProblem[] = [];
  if (opts.problem) problems.push({ field, message: uploadProblemMessage[opts.problem] });
  const given = parts.filter((p) => p.size > 0 || p.originalname !== '');
  if (given.length > max && !opts.problem) problems.push({ field, message: uploadProblemMessage.too_many });
  const photos: CheckedPhoto[] = [];
  given.slice(0, max).forEach((p, i) => {
    const name = p.originalname || `第${i + 1}张`;
    if (p.size > PHOTO_MAX_BYTES || p.buffer.length > PHOTO_MAX_BYTES) {
      problems.push({ field, message: `「${name}」超过${PHOTO_MAX_BYTES / 1024 / 1024}MB` });
      return;
    }
    const type = sniffImage(p.buffer);
    if (!type) {
      problems.push({ field, message: `「${name}」不是图片，只能上传 JPG、PNG、WebP 或 HEIC 格式的照片` });
      return;
    }
    const shape = readImageShape(p.buffer, type);
    if (typeof shape === 'string') {
      problems.push({ field, message: `「${name}」不是完整的照片，请重新拍摄或选择后再上传` });
      return;
    }
    photos.push({
      filename: safeFilename(p.originalname, i, type),
      contentType: type,
      size: p.buffer.length,
      sha256: createHash('sha256').update(p.buffer).digest('hex'),
      data: p.buffer,
    });
  });
  return { photos, problems };
}
