/** The load of bench:intake: varied complaint texts and the HTTP clients that send them. */
// Varied complaints, as a real day brings: mostly unrelated texts, so duplicate linking does realistic work.
export const places = ['客厅', '主卧', '次卧', '厨房', '阳台', '车库', '大堂', '电梯间', '楼道', '花园', '门禁', '地下室'];
export const problems = ['墙面开裂', '窗户关不严', '地砖空鼓', '天花板渗水', '插座没电', '下水道堵塞', '门锁坏了', '灯不亮', '有异味', '噪音很大', '瓷砖脱落', '暖气不热'];
export const asks = ['请尽快派人来看', '已经反映过一次了', '希望本周内处理', '什么时候能修好', '请给个答复', '影响正常生活'];
export const complaint = (i: number) => `${places[i % places.length]}${problems[Math.floor(i / places.length) % problems.length]}，${asks[Math.floor(i / 144) % asks.length]}`;

/**
 * The HTTP clients, in a worker thread: owners' phones and browsers are not in the server's process, so
 * the load generator must not share its event loop (it would bill the server for the client's JSON,
 * sockets and fetch machinery). Plain JS, run by the worker as is.
 */
export const clientSource = `
const { parentPort, workerData: w } = require('node:worker_threads');
const places = ${JSON.stringify(places)}, problems = ${JSON.stringify(problems)}, asks = ${JSON.stringify(asks)};
const complaint = (i) => places[i % places.length] + problems[Math.floor(i / places.length) % problems.length] + '，' + asks[Math.floor(i / 144) % asks.length];
async function post(url, token, body, headers) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers, ...(token ? { authorization: 'Bearer ' + token } : {}) }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(url + ': ' + res.status + ' ' + (await res.text()));
  await res.arrayBuffer();
}
async function one(i) {
  const mobile = String(13900000000 + (((w.offset + i) * 7919) % 5000) + 1);
  const summary = complaint(w.offset + i);
  if (w.kind === 'hotline') return post(w.base + '/api/v1/hotline/calls', w.token, { callerNumber: mobile, startedAt: new Date().toISOString(), durationSeconds: 60, summary }, {});
  // Owners behind the reverse proxy, each from their own address (the per-IP limit is per address).
  const ip = '10.' + ((i >> 16) & 255) + '.' + ((i >> 8) & 255) + '.' + (i & 255);
  const c = await (await fetch(w.base + '/api/v1/web-complaints/challenge', { headers: { 'x-forwarded-for': ip } })).json();
  // Spread over the large estate's 5,000 units, as a real day's submissions are (one unit's recent cases stay few).
  const u = ((w.offset + i) * 7919) % 5000;
  const unitText = (1 + Math.floor(u / 100)) + '栋1单元' + ((1 + Math.floor((u % 100) / 5)) * 100 + 1 + (u % 5));
  return post(w.base + '/api/v1/web-complaints', null, { name: '业主', mobile, projectId: w.projectId, unitText, type: 'complaint', description: summary, challenge: c.challenge, nonce: '' }, { 'x-forwarded-for': ip });
}
(async () => {
  const latencies = [];
  let next = 0;
  const started = performance.timeOrigin + performance.now();
  await Promise.all(Array.from({ length: w.concurrency }, async () => {
    for (let i = next++; i < w.n; i = next++) { const t = performance.now(); await one(i); latencies.push(performance.now() - t); }
  }));
  parentPort.postMessage({ started, latencies });
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;
