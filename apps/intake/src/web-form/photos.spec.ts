import { readImageShape } from './image-structure';
import { checkPhotos, PHOTO_MAX_BYTES, safeFilename, sniffImage } from './photos';
import { images } from './testing/fixtures';
import type { UploadedPart } from './uploads';

const part = (buffer: Buffer, originalname = 'x.jpg'): UploadedPart => ({
  fieldname: 'photos',
  originalname,
  mimetype: 'image/jpeg',
  size: buffer.length,
  buffer,
});

describe('web-form photos', () => {
  it('knows images by their magic bytes, whatever they are called', () => {
    expect(sniffImage(images.jpeg)).toBe('image/jpeg');
    expect(sniffImage(images.png)).toBe('image/png');
    expect(sniffImage(images.webp)).toBe('image/webp');
    expect(sniffImage(images.heic)).toBe('image/heic');
    expect(sniffImage(Buffer.from('%PDF-1.7 not a photo'))).toBeNull();
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
  });

  it('refuses a non-image, an oversized file and a sixth photo, each with a Chinese message', () => {
    const r = checkPhotos([part(images.jpeg, 'a.jpg'), part(Buffer.from('MZ executable'), 'virus.jpg')], 'photos');
    expect(r.photos).toHaveLength(1);
    expect(r.problems).toEqual([{ field: 'photos', message: expect.stringContaining('「virus.jpg」不是图片') }]);
    const big = part(Buffer.concat([images.png, Buffer.alloc(PHOTO_MAX_BYTES)]), 'big.png');
    expect(checkPhotos([big], 'photos').problems[0]!.message).toContain('超过10MB');
    expect(
      checkPhotos(
        Array.from({ length: 6 }, () => part(images.jpeg)),
        'photos',
      ).problems[0]!.message,
    ).toBe('最多上传5张照片');
  });

  it('stores a safe name with the real extension', () => {
    expect(safeFilename('C:\\Users\\王\\漏水.jpg', 0, 'image/jpeg')).toBe('漏水.jpg');
    expect(safeFilename('../../etc/passwd', 0, 'image/png')).toBe('passwd');
    expect(safeFilename('', 2, 'image/heic')).toBe('photo-3.heic');
  });
});

describe('the whole picture, not only its first bytes (issue 16, 6)', () => {
  it('reads the size of whole JPEG, PNG, WebP and HEIC pictures', () => {
    for (const [buf, type] of [
      [images.jpeg, 'image/jpeg'],
      [images.png, 'image/png'],
      [images.webp, 'image/webp'],
      [images.heic, 'image/heic'],
    ] as const)
      expect(readImageShape(buf, type)).toEqual({ width: 4, height: 3 });
    // Bytes after the end (a camera's trailer) are allowed.
    expect(readImageShape(Buffer.concat([images.jpeg, Buffer.alloc(50, 9)]), 'image/jpeg')).toEqual({
      width: 4,
      height: 3,
    });
  });

  it('refuses a file that only starts like a picture, a cut-off upload and a picture too large to decode', () => {
    const disguised = Buffer.concat([
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
      Buffer.from('<html><script>x</script></html>'),
    ]);
    expect(readImageShape(disguised, 'image/jpeg')).toMatch(/not a whole JPEG/);
    expect(readImageShape(images.jpeg.subarray(0, images.jpeg.length - 2), 'image/jpeg')).toMatch(/cut off/);
    expect(readImageShape(images.png.subarray(0, 40), 'image/png')).toMatch(/not a whole PNG/);
    expect(readImageShape(images.webp.subarray(0, 100), 'image/webp')).toMatch(/cut off/);
    expect(readImageShape(images.heic.subarray(0, 30), 'image/heic')).toMatch(/not a whole HEIC/);
    const bomb = Buffer.from(images.png);
    bomb.writeUInt32BE(20_000, 16); // IHDR width
    bomb.writeUInt32BE(20_000, 20); // and height: 400 megapixels
    expect(readImageShape(bomb, 'image/png')).toMatch(/too large a picture \(20000×20000\)/);
    const part = (buffer: Buffer) => ({
      fieldname: 'photos',
      originalname: 'a.jpg',
      mimetype: 'image/jpeg',
      size: buffer.length,
      buffer,
    });
    expect(checkPhotos([part(disguised)], 'photos').problems).toEqual([
      { field: 'photos', message: '「a.jpg」不是完整的照片，请重新拍摄或选择后再上传' },
    ]);
  });
});
