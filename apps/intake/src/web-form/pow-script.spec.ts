import { webcrypto } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { expectEventually } from '@kefu/shared/testing';
import { meetsWork, PowChallenges } from './pow.service';
import { powScript } from './pow-script';
import { testConfigWithoutDatabase } from './testing/config';

/** Just enough of a page for pow.js: the form, its two hidden fields, the status line and the button. */
function fakePage(challenge: string, bits: number, nonce = '') {
  const fields: Record<string, { value: string }> = { challenge: { value: challenge }, nonce: { value: nonce } };
  const listeners: Record<string, (e: { preventDefault: () => void }) => void> = {};
  const form = {
    submitted: 0,
    getAttribute: (name: string) => (name === 'data-pow-bits' ? String(bits) : null),
    elements: { namedItem: (name: string) => fields[name] ?? null },
    addEventListener: (type: string, fn: (e: { preventDefault: () => void }) => void) => (listeners[type] = fn),
    submit() {
      this.submitted += 1;
    },
  };
  const status = { textContent: '' };
  const button = { disabled: false };
  const document = {
    getElementById: (id: string) => ({ 'complaint-form': form, 'pow-status': status, 'f-submit': button })[id] ?? null,
  };
  const globals = { document, crypto: webcrypto, TextEncoder, Promise, setTimeout };
  return { fields, form, status, button, listeners, globals: { ...globals, window: globals } };
}

describe('/complaint/pow.js', () => {
  const pow = new PowChallenges(testConfigWithoutDatabase({ WEB_FORM_POW_BITS: '10' }));

  it('finds a nonce the server accepts and puts it in the form', async () => {
    const { challenge } = pow.issue();
    const page = fakePage(challenge, 10);
    runInNewContext(powScript, page.globals);
    await expectEventually(() => expect(page.fields.nonce!.value).not.toBe(''), { timeoutMs: 20_000 });
    expect(meetsWork(challenge, page.fields.nonce!.value, 10)).toBe(true);
    expect(pow.solved(challenge, pow.open(challenge)!, page.fields.nonce!.value)).toBe(true);
    expect(page.form.submitted).toBe(0);
  });

  it('holds a submit made before the work is done, then submits by itself', async () => {
    const { challenge } = pow.issue();
    const page = fakePage(challenge, 10);
    runInNewContext(powScript, page.globals);
    let prevented = false;
    page.listeners.submit!({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(page.button.disabled).toBe(true);
    expect(page.status.textContent).toContain('正在进行安全验证');
    await expectEventually(() => expect(page.form.submitted).toBe(1), { timeoutMs: 20_000 });
    expect(meetsWork(challenge, page.fields.nonce!.value, 10)).toBe(true);
  });

  it('leaves the form alone where there is no crypto.subtle (it goes without the work)', () => {
    const page = fakePage(pow.issue().challenge, 10);
    runInNewContext(powScript, {
      ...page.globals,
      crypto: undefined,
      window: { ...page.globals.window, crypto: undefined },
    });
    expect(page.listeners.submit).toBeUndefined();
    expect(page.fields.nonce!.value).toBe('');
  });
});
