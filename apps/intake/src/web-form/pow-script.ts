/**
 * /complaint/pow.js: finds a decimal nonce such that sha256(challenge + nonce) has the form's number of
 * leading zero bits (crypto.subtle, in batches so the page stays responsive) and puts it in the hidden
 * `nonce` field. If the person submits first, the submit waits for the result. Where crypto.subtle is
 * missing (old browsers, plain-HTTP pages) it does nothing and the form goes without the work, under the
 * stricter no-JavaScript limit. The search is bounded: after 2^(bits+8) tries it gives up the same way.
 */
export const powScript = `(function () {
  'use strict';
  var form = document.getElementById('complaint-form');
  if (!form || !window.crypto || !window.crypto.subtle || !window.TextEncoder || !window.Promise) return;
  var bits = parseInt(form.getAttribute('data-pow-bits') || '0', 10);
  var challenge = form.elements.namedItem('challenge');
  var nonceField = form.elements.namedItem('nonce');
  var status = document.getElementById('pow-status');
  var button = document.getElementById('f-submit');
  if (!bits || !challenge || !nonceField) return;
  var encoder = new TextEncoder();
  var done = nonceField.value !== '';
  var waiting = false;
  var limit = Math.pow(2, Math.min(bits + 8, 32));

  function zeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var n = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { n += 8; continue; }
      return n + Math.clz32(bytes[i]) - 24;
    }
    return n;
  }

  function search(start) {
    if (start >= limit) return Promise.resolve(null);
    var batch = [];
    for (var i = 0; i < 512; i++) batch.push(crypto.subtle.digest('SHA-256', encoder.encode(challenge.value + (start + i))));
    return Promise.all(batch).then(function (digests) {
      for (var j = 0; j < digests.length; j++) if (zeroBits(digests[j]) >= bits) return String(start + j);
      return search(start + digests.length);
    });
  }

  function finish() {
    done = true;
    if (waiting) form.submit();
  }

  form.addEventListener('submit', function (event) {
    if (done) {
      if (button) setTimeout(function () { button.disabled = true; }, 0);
      return;
    }
    event.preventDefault();
    waiting = true;
    if (button) button.disabled = true;
    if (status) status.textContent = '正在进行安全验证，请稍候……';
  });

  if (!done) {
    search(0).then(function (nonce) {
      if (nonce !== null) nonceField.value = nonce;
      finish();
    }, finish);
  }
})();
`;
