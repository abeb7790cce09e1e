import { escapeHtml as escape } from '@kefu/shared';

/** Security headers of the acknowledgement page: nothing inline but its one style, nothing fetched, never cached. */
export const ackPageHeaders: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The small page a one-click acknowledgement link answers with, in Chinese (the staff's language). */
export function ackPage(title: string, message: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · 客服提醒</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f6f7f9;color:#1f2328}main{max-width:32rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px}h1{font-size:1.4rem}</style>
</head>
<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p></main></body>
</html>`;
}
