import { AppException } from '@kefu/shared';
import { images } from '../web-form/testing/fixtures';
import type { UploadedPart } from '../web-form/uploads';
import type { CollectionDto } from './suggestion-box.dto';
import { SLIP_PHOTOS_MAX, slipPhotos, uploadFailure } from './slip-photos';

const part = (fieldname: string, buffer: Buffer = images.png): UploadedPart => ({
  fieldname,
  originalname: `${fieldname}.png`,
  mimetype: 'image/png',
  size: buffer.length,
  buffer,
});
const slips = (...photos: Array<string | null>) =>
  ({
    collectedAt: '2026-12-01T09:00:00+08:00',
    slips: photos.map((photo) => ({ content: '意见', anonymous: true, photo })),
  }) as unknown as CollectionDto;
const problems = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppException);
    return ((err as AppException).details as { fields: Array<{ field: string }> }).fields.map((f) => f.field);
  }
  throw new Error('no problem reported');
};

describe('slipPhotos', () => {
  it('gives each slip the photo its part name points at', () => {
    const out = slipPhotos(slips(null, 'p1'), { files: [part('p1')], problem: null });
    expect([...out.keys()]).toEqual([1]);
    expect(out.get(1)).toMatchObject({ contentType: 'image/png', size: images.png.length });
  });

  it('refuses a photo no slip names, a named photo that is missing, two parts of one name and a non-image', () => {
    expect(problems(() => slipPhotos(slips(), { files: [part('p1')], problem: null }))).toEqual(['p1']);
    expect(problems(() => slipPhotos(slips('p1'), { files: [], problem: null }))).toEqual(['slips.0.photo']);
    expect(problems(() => slipPhotos(slips('p1'), { files: [part('p1'), part('p1')], problem: null }))).toContain('p1');
    const notImage = part('p1', Buffer.from('not a picture'));
    expect(problems(() => slipPhotos(slips('p1'), { files: [notImage], problem: null }))).toEqual(['slips.0.photo']);
  });
});

describe('uploadFailure', () => {
  it('maps each way multer stops reading to its refusal, and none to null', () => {
    expect(uploadFailure(null)).toBeNull();
    expect(uploadFailure('too_large')?.code).toBe('payload_too_large');
    expect(uploadFailure('too_many')?.message).toContain('photos');
    expect(uploadFailure('too_many')?.details).toMatchObject({
      fields: [{ field: 'photos', message: expect.stringContaining(String(SLIP_PHOTOS_MAX)) }],
    });
    expect(uploadFailure('malformed')?.code).toBe('bad_request');
  });
});
