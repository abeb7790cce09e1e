import { escapeHtml as escape } from '@kefu/shared';

/**
 * Security headers of the acknowledgement pages: nothing inline but their one style, nothing fetched, never cached;
 * the confirmation's form may post only to this origin.
 */
export const ackPageHeaders: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** The small page a one-click acknowledgement link answers with, in Chinese (the staff's language). */
export function ackPage(title: string, message: string, form = ''): string {
  return `<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · 客服提醒</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f6f7f9;color:#1f2328}main{max-width:32rem;margin:3rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px}h1{font-size:1.4rem}button{font:inherit;font-size:1.1rem;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#1f5fbf;color:#fff}</style>
</head>
<body><main><h1>${escape(title)}</h1><p>${escape(message)}</p>${form}</main></body>
</html>`;
}

/**
 * The confirmation a GET of the link answers with (a mail scanner or a chat preview opening the link acknowledges
 * nothing): what the reminder is about and one button that POSTs to the same address.
 */
export function ackConfirmPage(about: string): string {
  return ackPage(
    '确认收到提醒',
    `${about}。请点击下面的按钮确认您已收到并会按时处理。`,
    `<form method="post"><button type="submit">确认收到</button></form>`,
  );
}
