import { ackPage } from './ack-page';

describe('ackPage', () => {
  it('escapes the title and the message', () => {
    const page = ackPage('<b>已确认</b>', `"x" & 'y' <script>`);
    expect(page).toContain('<title>&lt;b&gt;已确认&lt;/b&gt; · 客服提醒</title>');
    expect(page).toContain('<h1>&lt;b&gt;已确认&lt;/b&gt;</h1>');
    expect(page).toContain('<p>&quot;x&quot; &amp; &#39;y&#39; &lt;script&gt;</p>');
    expect(page).not.toContain('<script>');
  });
});
