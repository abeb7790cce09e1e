import { createHash } from 'node:crypto';
import { escapeHtml } from '@kefu/shared';

/** Markup that is already safe: only `html` makes one, so nothing reaches a page unescaped by accident. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/** Template tag: every interpolated value is escaped (text and quoted attributes alike) unless it is SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += render(v) + (strings[i + 1] ?? '')));
  return new SafeHtml(out);
}

// Mobile first, system fonts only (no web fonts, nothing from another origin), a focus ring you can see.
const css = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2328;background:#f6f7f9}
main{max-width:40rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
h1{font-size:1.4rem;margin:.5rem 0 1rem}
.field{margin:0 0 1.1rem}
label,legend{display:block;font-weight:600;margin-bottom:.3rem}
.opt{font-weight:400;color:#57606a}
.hint{margin:.1rem 0 .3rem;color:#57606a;font-size:.9rem}
input[type=text],input[type=tel],input[type=email],select,textarea{width:100%;padding:.6rem;font:inherit;border:1px solid #8c959f;border-radius:6px;background:#fff}
textarea{min-height:9rem;resize:vertical}
fieldset{border:0;padding:0;margin:0 0 1.1rem}
.choices label{display:inline-flex;align-items:center;gap:.3rem;font-weight:400;margin:0 1rem .4rem 0;padding:.3rem 0}
.choices input{width:1.2rem;height:1.2rem}
.error{color:#b42318;font-weight:600;margin:.1rem 0 .3rem}
.has-error input,.has-error select,.has-error textarea{border:2px solid #b42318}
.summary{border:3px solid #b42318;border-radius:6px;padding:.6rem 1rem;margin:0 0 1.2rem}
.summary h2{font-size:1.1rem;margin:.2rem 0}
.notice{border-left:4px solid #1a5fb4;background:#eef4fc;padding:.5rem .8rem;margin:0 0 1rem}
button{font:inherit;font-weight:600;padding:.75rem 1.5rem;border:0;border-radius:6px;background:#1a5fb4;color:#fff;width:100%;cursor:pointer}
button[disabled]{background:#57606a}
a{color:#1a5fb4}
:focus-visible{outline:3px solid #e66100;outline-offset:2px}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
.receipt{font-size:1.1rem}
.receipt strong{font-size:1.25rem}
blockquote{margin:.5rem 0;padding:.5rem .8rem;background:#f6f7f9;border-left:4px solid #8c959f;white-space:pre-wrap;overflow-wrap:anywhere}
@media (min-width:40rem){main{margin:1rem auto;min-height:0;border-radius:8px;padding:1.5rem 2rem}button{width:auto}}
`;

/** For the Content-Security-Policy: the one inline style block is allowed by its hash, nothing else inline. */
const cssHash = createHash('sha256').update(css).digest('base64');

/** Security headers of every page: no inline script, scripts only from this origin, nothing fetched elsewhere. */
export const pageHeaders: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'sha256-${cssHash}'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export function page(title: string, body: SafeHtml, opts: { script?: string } = {}): string {
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${new SafeHtml(css)}</style>
${opts.script ? html`<script src="${opts.script}" defer></script>` : ''}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.value;
}
