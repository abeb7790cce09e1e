import { images } from '../../web-form/testing/fixtures';
import { allowedTypes, checkUpload, sniffFile } from './evidence-files';

const bytes = (head: number[] | string, filler = 0x11) =>
  Buffer.concat([typeof head === 'string' ? Buffer.from(head, 'latin1') : Buffer.from(head), Buffer.alloc(64, filler)]);
const ftyp = (brand: string) => bytes([0, 0, 0, 0x1c, ...Buffer.from(`ftyp${brand}`, 'latin1'), 0, 0, 0, 0]);

describe('evidence file types, by their bytes', () => {
  it.each([
    ['AMR (phone call recorders)', bytes('#!AMR\n'), 'audio/amr'],
    ['AMR-WB', bytes('#!AMR-WB\n'), 'audio/amr-wb'],
    ['MP3 with an ID3 tag', bytes('ID3\u0004\u0000'), 'audio/mpeg'],
    ['MP3 frame without a tag', bytes([0xff, 0xfb, 0x90, 0x64]), 'audio/mpeg'],
    ['AAC (ADTS)', bytes([0xff, 0xf1, 0x50, 0x80]), 'audio/aac'],
    ['M4A (iPhone voice memo)', ftyp('M4A '), 'audio/mp4'],
    ['3GP (Android recorder)', ftyp('3gp4'), 'audio/3gpp'],
    ['WAV', bytes('RIFF\u0024\u0000\u0000\u0000WAVEfmt '), 'audio/wav'],
    ['OGG', bytes('OggS'), 'audio/ogg'],
    ['WebM (a browser recording)', bytes([0x1a, 0x45, 0xdf, 0xa3]), 'audio/webm'],
    ['FLAC', bytes('fLaC'), 'audio/flac'],
    ['PDF', bytes('%PDF-1.4\n'), 'application/pdf'],
    ['TIFF (a scan)', bytes('II*\u0000'), 'image/tiff'],
    ['JPEG', images.jpeg, 'image/jpeg'],
    ['HEIC', images.heic, 'image/heic'],
    ['HTML', bytes('<!doctype html><script>'), null],
    ['SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg">'), null],
    ['ZIP (a .docx or anything else)', bytes('PK\u0003\u0004'), null],
    ['an MP4 of another brand (qt video)', ftyp('qt  '), null],
  ])('%s', (_, b, type) => {
    expect(sniffFile(b)).toBe(type);
  });

  it('allows only what each kind may be, and names the field', () => {
    const part = (buffer: Buffer, fieldname = 'file') => ({
      fieldname,
      originalname: 'x',
      mimetype: 'image/jpeg',
      size: buffer.length,
      buffer,
    });
    expect(allowedTypes.photo).not.toContain('application/pdf');
    expect(checkUpload([part(images.jpeg)], null, 'file', 'photo').file?.contentType).toBe('image/jpeg');
    expect(checkUpload([part(bytes('%PDF-1.4'))], null, 'file', 'photo').problems).toEqual([
      { field: 'file', message: expect.stringContaining('application/pdf') },
    ]);
    expect(checkUpload([part(bytes('#!AMR\n'))], null, 'file', 'document').problems).toHaveLength(1);
    expect(checkUpload([], 'too_large', 'photo', 'photo').problems).toEqual([
      { field: 'photo', message: expect.stringContaining('30MB') },
    ]);
    expect(checkUpload([part(Buffer.alloc(0))], null, 'file', 'photo').problems).toEqual([
      { field: 'file', message: expect.stringContaining('empty') },
    ]);
    // A blank file input sends an empty, nameless part: the file is missing, not empty.
    expect(checkUpload([{ ...part(Buffer.alloc(0)), originalname: '' }], null, 'file', 'photo').problems).toEqual([
      { field: 'file', message: expect.stringContaining('required') },
    ]);
  });
});
