import { escapeHtml } from './escape-html';

describe('escapeHtml', () => {
  it('escapes markup and both quote kinds, and the backtick', () => {
    expect(escapeHtml(`"><script>alert('x')</script>&\``)).toBe(
      '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;',
    );
  });

  it('escapes & once and leaves other text, Chinese included, as it is', () => {
    expect(escapeHtml('&amp; 3栋2单元1502')).toBe('&amp;amp; 3栋2单元1502');
  });
});
