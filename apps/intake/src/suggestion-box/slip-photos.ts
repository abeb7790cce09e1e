import { AppException, type FieldProblem } from '@kefu/shared';
import { checkPhotos, type CheckedPhoto } from '../web-form/photos';
import type { UploadProblem, Uploads } from '../web-form/uploads';
import type { CollectionDto } from './suggestion-box.dto';

export const invalid = (fields: FieldProblem[]) =>
  new AppException('validation_failed', `Invalid input: ${fields.map((f) => f.field).join(', ')}`, { fields });

/** Slip index → its checked photo. Every file part must belong to a slip, and every named photo must be there. */
export function slipPhotos(dto: CollectionDto, uploads: Uploads): Map<number, CheckedPhoto> {
  const problems: FieldProblem[] = [];
  const byPart = new Map(uploads.files.map((f) => [f.fieldname, f]));
  for (const name of byPart.keys()) {
    if (uploads.files.filter((f) => f.fieldname === name).length > 1)
      problems.push({ field: name, message: `有多个名为 ${name} 的照片 (one file per part name)` });
  }
  const used = new Set<string>();
  const out = new Map<number, CheckedPhoto>();
  dto.slips.forEach((s, i) => {
    if (!s.photo) return;
    const file = byPart.get(s.photo);
    used.add(s.photo);
    if (!file)
      return problems.push({
        field: `slips.${i}.photo`,
        message: `没有名为 ${s.photo} 的照片 (no file part named ${s.photo})`,
      });
    const checked = checkPhotos([file], `slips.${i}.photo`, { max: 1 });
    problems.push(...checked.problems);
    if (checked.photos[0]) out.set(i, checked.photos[0]);
  });
  for (const f of uploads.files)
    if (!used.has(f.fieldname))
      problems.push({
        field: f.fieldname,
        message: `照片 ${f.fieldname} 不属于任何一张意见 (no slip names this photo)`,
      });
  if (problems.length) throw invalid(problems);
  return out;
}

/** File parts one collection request may carry (all held in memory: 10 MB each at most). */
export const SLIP_PHOTOS_MAX = 50;

/** A multipart body multer had to stop reading: refused before its (possibly partial) contents are read. */
export function uploadFailure(problem: UploadProblem | null): AppException | null {
  switch (problem) {
    case null:
      return null;
    case 'too_large':
      return new AppException('payload_too_large', '每张照片不能超过10MB (a slip photo is over 10 MB)');
    case 'too_many':
      return invalid([
        {
          field: 'photos',
          message: `一次最多 ${SLIP_PHOTOS_MAX} 张照片 (at most ${SLIP_PHOTOS_MAX} photos per collection)`,
        },
      ]);
    case 'malformed':
      return new AppException(
        'bad_request',
        '上传内容不完整或超出限制 (the multipart body was cut short or exceeds a limit)',
      );
  }
}
