const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/**
 * Text made safe for HTML we render on the server (pages, email bodies): in element content and in
 * quoted attributes alike. The backtick too: old IE read it as an attribute quote.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => entities[c] ?? c);
}
