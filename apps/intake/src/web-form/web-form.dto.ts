import { z } from 'zod';
import { normalisePhone, type FieldProblem } from '@kefu/shared';
import type { UploadedPart } from './uploads';

/** What the public may choose; claims (索赔) need legal review and come in through staff. */
export const webCaseTypes = ['complaint', 'repair', 'enquiry', 'suggestion'] as const;
export type WebCaseType = (typeof webCaseTypes)[number];
export const webCaseTypeLabels: Record<WebCaseType, string> = {
  complaint: '投诉',
  repair: '报修',
  enquiry: '咨询',
  suggestion: '建议',
};

/** Field names of the form and of the JSON API (the same), with their Chinese labels for messages. */
export const fieldLabels = {
  name: '姓名',
  mobile: '手机号',
  email: '电子邮箱',
  projectId: '小区',
  unitText: '楼栋单元房号',
  type: '问题类型',
  description: '问题描述',
  photos: '照片',
  challenge: '安全验证',
  nonce: '安全验证',
} as const;

/** The honeypot: hidden from people (CSS, aria-hidden, no tab stop); a bot that fills every box fills it. */
export const HONEYPOT_FIELD = 'website';

const required = (message: string) => z.string({ error: message }).trim().min(1, message);
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const webComplaintSchema = z.object({
  name: required('请填写姓名').pipe(z.string().max(50, '姓名不能超过50个字')),
  mobile: required('请填写手机号')
    .pipe(z.string().max(30, '请填写正确的手机号，例如 138 1234 5678'))
    .refine((v) => normalisePhone(v)?.kind === 'mobile', '请填写正确的中国大陆手机号（11位），例如 138 1234 5678'),
  email: z
    .string({ error: '电子邮箱格式不正确，例如 name@example.com' })
    .trim()
    .max(200, '电子邮箱不能超过200个字符')
    .refine((v) => v === '' || email.test(v), '电子邮箱格式不正确，例如 name@example.com')
    .default(''),
  projectId: required('请选择您所在的小区').pipe(z.string().regex(uuid, '请从列表中选择小区')),
  unitText: required('请填写楼栋单元房号，例如 3栋2单元1502').pipe(z.string().max(100, '楼栋单元房号不能超过100个字')),
  type: z.enum(webCaseTypes, { error: '请选择问题类型：投诉、报修、咨询或建议' }),
  description: required('请描述您遇到的问题').pipe(
    z.string().min(5, '问题描述至少5个字，请写清楚发生了什么').max(5000, '问题描述不能超过5000字'),
  ),
  challenge: required('安全验证信息缺失，请刷新页面后重新填写').pipe(
    z.string().max(200, '安全验证信息无效，请刷新页面后重新填写'),
  ),
  nonce: z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : v),
    z.string({ error: '安全验证结果无效' }).trim().max(32, '安全验证结果无效').default(''),
  ),
});
export type WebComplaint = z.output<typeof webComplaintSchema>;

/** The form's text values as the person typed them, to show the form again. */
export interface FormValues {
  name: string;
  mobile: string;
  email: string;
  projectId: string;
  unitText: string;
  type: string;
  description: string;
}

export interface ParsedSubmission {
  values: FormValues;
  data: WebComplaint | null;
  problems: FieldProblem[];
  honeypot: boolean;
  challenge: string;
  nonce: string;
  /** Photos sent inline in a JSON body (`photos: [{ filename, contentBase64 }]`), decoded. */
  inlinePhotos: UploadedPart[];
  /** The body as received, with inline photo bytes replaced by their size: what goes into the intake record. */
  raw: Record<string, unknown>;
}

// NUL cannot be stored in Postgres text or jsonb; it has no place in a complaint either.
const str = (v: unknown): string =>
  typeof v === 'string' ? v.replaceAll('\u0000', '') : typeof v === 'number' ? String(v) : '';

function inlinePhotos(v: unknown): { parts: UploadedPart[]; raw: unknown; problem: string | null } {
  if (v === undefined || v === null || v === '') return { parts: [], raw: undefined, problem: null };
  const bad = {
    parts: [],
    raw: '(unreadable)',
    problem: '照片格式不正确：应为 [{ "filename": "…", "contentBase64": "…" }]',
  };
  if (!Array.isArray(v)) return bad;
  const parts: UploadedPart[] = [];
  const raw: unknown[] = [];
  for (const item of v) {
    if (typeof item !== 'object' || item === null) return bad;
    const { filename, contentBase64 } = item as Record<string, unknown>;
    if (typeof contentBase64 !== 'string' || (filename !== undefined && typeof filename !== 'string')) return bad;
    const buffer = Buffer.from(contentBase64, 'base64');
    parts.push({
      fieldname: 'photos',
      originalname: filename ?? '',
      mimetype: 'application/octet-stream',
      size: buffer.length,
      buffer,
    });
    raw.push({ filename: filename ?? null, bytes: buffer.length });
  }
  return { parts, raw, problem: null };
}

/** Reads a form or JSON body: field problems in Chinese, one per field, in form order. */
export function parseSubmission(body: unknown): ParsedSubmission {
  const given =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const b: Record<string, unknown> = Object.fromEntries(
    Object.entries(given).map(([k, v]) => [k, typeof v === 'string' ? str(v) : v]),
  );
  const values: FormValues = {
    name: str(b.name),
    mobile: str(b.mobile),
    email: str(b.email),
    projectId: str(b.projectId),
    unitText: str(b.unitText),
    type: str(b.type),
    description: str(b.description),
  };
  const photos = inlinePhotos(b.photos);
  const raw: Record<string, unknown> = { ...b };
  if (photos.raw !== undefined) raw.photos = photos.raw;
  const parsed = webComplaintSchema.safeParse(b);
  const problems: FieldProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '(body)');
      if (!problems.some((p) => p.field === field)) problems.push({ field, message: issue.message });
    }
  }
  if (photos.problem) problems.push({ field: 'photos', message: photos.problem });
  const honeypot = str(b[HONEYPOT_FIELD]).trim() !== '';
  return {
    values,
    data: parsed.success ? parsed.data : null,
    problems,
    honeypot,
    challenge: str(b.challenge).trim(),
    nonce: str(b.nonce).trim(),
    inlinePhotos: photos.parts,
    raw,
  };
}

/** Orders problems as the fields appear on the form. */
export function inFormOrder(problems: FieldProblem[]): FieldProblem[] {
  const order = Object.keys(fieldLabels);
  const rank = (f: string) => (order.includes(f) ? order.indexOf(f) : order.length);
  return [...problems].sort((a, b) => rank(a.field) - rank(b.field));
}
