import { createHash } from 'node:crypto';
import type { FieldProblem } from '@kefu/shared';
import { PHOTO_MAX_BYTES, sniffImage } from '../../web-form/photos';
import type { UploadedPart, UploadProblem } from '../../web-form/uploads';

/** What staff upload: what each kind may be (by its bytes), and how large. */
export type FileKind = 'photo' | 'recording' | 'document';

const MB = 1024 * 1024;
/** Bytes per file of each kind; photos as on the web form. All are held in memory and stored in Postgres. */
export const fileMaxBytes: Record<FileKind, number> = {
  photo: PHOTO_MAX_BYTES,
  recording: 30 * MB,
  document: 20 * MB,
};
/** The largest of them: multer's limit, before the kind is known. */
export const UPLOAD_MAX_BYTES = Math.max(...Object.values(fileMaxBytes));

const imageTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif'];
const audioTypes = [
  'audio/mpeg',
  'audio/aac',
  'audio/mp4',
  'audio/3gpp',
  'audio/amr',
  'audio/amr-wb',
  'audio/wav',
  'audio/ogg',
  'audio/webm',
  'audio/flac',
];
/** The allow-list: content types each kind accepts, as their bytes show them (the declared type is not evidence). */
export const allowedTypes: Record<FileKind, readonly string[]> = {
  photo: imageTypes,
  recording: audioTypes,
  document: ['application/pdf', 'image/tiff', ...imageTypes],
};
const kindName: Record<FileKind, string> = { photo: '照片', recording: '录音', document: '文件' };
const allowedNames: Record<FileKind, string> = {
  photo: 'JPG、PNG、WebP、HEIC (photos)',
  recording: 'MP3、AAC/M4A、AMR、3GP、WAV、OGG、WebM、FLAC (recordings)',
  document: 'PDF、TIFF、JPG、PNG、WebP、HEIC (documents and scans)',
};

const m4aBrands = new Set(['M4A ', 'M4B ', 'mp41', 'mp42', 'isom', 'iso2', 'dash']);
const gppBrands = new Set(['3gp4', '3gp5', '3gp6', '3gp7', '3gr6', '3gs6', '3ge6', '3gg6']);

/** The audio type by its magic bytes. */
export function sniffAudio(b: Buffer): string | null {
  const ascii = (from: number, to: number) => (b.length >= to ? b.toString('latin1', from, to) : '');
  if (ascii(0, 9) === '#!AMR-WB\n') return 'audio/amr-wb';
  if (ascii(0, 6) === '#!AMR\n') return 'audio/amr';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  if (ascii(0, 4) === 'OggS') return 'audio/ogg';
  if (ascii(0, 4) === 'fLaC') return 'audio/flac';
  if (b.length >= 4 && b.readUInt32BE(0) === 0x1a45dfa3) return 'audio/webm';
  if (ascii(0, 3) === 'ID3') return 'audio/mpeg';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (m4aBrands.has(brand)) return 'audio/mp4';
    if (gppBrands.has(brand)) return 'audio/3gpp';
    return null;
  }
  // Frame sync: ADTS (AAC) has layer bits 00; an MPEG audio frame (MP3) has a layer.
  if (b.length >= 2 && b[0] === 0xff && (b[1]! & 0xe0) === 0xe0)
    return (b[1]! & 0x06) === 0 ? 'audio/aac' : 'audio/mpeg';
  return null;
}

/** Any type a staff upload may have, by its bytes. */
export function sniffFile(b: Buffer): string | null {
  if (b.length >= 5 && b.toString('latin1', 0, 5) === '%PDF-') return 'application/pdf';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*'))
    return 'image/tiff';
  return sniffImage(b) ?? sniffAudio(b);
}

/** A checked file, ready to be stored as an attachment. */
export interface CheckedFile {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  data: Buffer;
}

/** A name safe to store and show: no path, no control characters, at most 200 characters. */
function storedName(original: string, fallback: string): string {
  const base = (original.split(/[\\/]/).pop() ?? '')
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '')
    .trim()
    .slice(0, 200);
  return !base || base === '.' || base === '..' ? fallback : base;
}

const mbOf = (n: number) => `${Math.round(n / MB)}MB`;

/**
 * The one file of a staff upload, checked against its kind: present, within the kind's size, and of an allowed
 * type by its magic bytes. Problems name `field`.
 */
export function checkUpload(
  files: UploadedPart[],
  problem: UploadProblem | null,
  field: string,
  kind: FileKind | undefined,
): { file: CheckedFile | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const fail = (message: string) => ({ file: null, problems: [...problems, { field, message }] });
  for (const f of files)
    if (f.fieldname !== field)
      problems.push({
        field: f.fieldname,
        message: `只接受名为 ${field} 的文件 (unexpected file part; send it as ${field})`,
      });
  if (problem === 'too_large')
    return fail(`文件超过${mbOf(UPLOAD_MAX_BYTES)} (the file is over ${mbOf(UPLOAD_MAX_BYTES)})`);
  if (problem === 'too_many') return fail(`每次只能上传一个文件 (one file per upload)`);
  if (problem === 'malformed')
    return fail('上传内容不完整，请重新上传 (the multipart body was cut short or malformed)');
  const given = files.filter((f) => f.fieldname === field && (f.size > 0 || f.originalname !== ''));
  if (given.length === 0) return fail('请选择要上传的文件 (the file is required)');
  const part = given[0]!;
  if (part.buffer.length === 0) return fail(`「${part.originalname}」是空文件 (the file is empty)`);
  if (!kind) return { file: null, problems }; // the kind's own problem is reported by its field
  const max = fileMaxBytes[kind];
  if (part.buffer.length > max)
    return fail(`「${part.originalname}」超过${mbOf(max)} (a ${kind} may be at most ${mbOf(max)})`);
  const type = sniffFile(part.buffer);
  if (!type || !allowedTypes[kind].includes(type))
    return fail(
      `「${part.originalname}」不能作为${kindName[kind]}上传，只接受 ${allowedNames[kind]} (content type ${type ?? `unknown, sent as ${part.mimetype}`} is not allowed for a ${kind})`,
    );
  return {
    file: {
      filename: storedName(part.originalname, `${kind}.${type.split('/')[1]!.replace('mpeg', 'mp3')}`),
      contentType: type,
      size: part.buffer.length,
      sha256: createHash('sha256').update(part.buffer).digest('hex'),
      data: part.buffer,
    },
    problems,
  };
}
