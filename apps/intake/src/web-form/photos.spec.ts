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
