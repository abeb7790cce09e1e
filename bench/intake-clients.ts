/** The load of bench:intake: varied complaint texts and the HTTP clients that send them. */
// Varied complaints, as a real day brings: mostly unrelated texts, so duplicate linking does realistic work.
export const places = ['客厅', '主卧', '次卧', '厨房', '阳台', '车库', '大堂', '电梯间', '楼道', '花园', '门禁', '地下室'];
export const problems = ['墙面开裂', '窗户关不严', '地砖空鼓', '天花板渗水', '插座没电', '下水道堵塞', '门锁坏了', '灯不亮', '有异味', '噪音很大', '瓷砖脱落', '暖气不热'];
export const asks = ['请尽快派人来看', '已经反映过一次了', '希望本周内处理', '什么时候能修好', '请给个答复', '影响正常生活'];
export const complaint = (i: number) => `${places[i % places.length]}${problems[Math.floor(i / places.length) % problems.length]}，${asks[Math.floor(i / 144) % asks.length]}`;

/**
 * The HTTP clients, in a worker thread: owners' phones and browsers are not in the server's process, so
 * the load generator must not share its event loop (it would bill the server for the client's JSON,
 * sockets and HTTP machinery). Plain JS, run by the worker as is. node:http with keep-alive rather than
 * fetch: undici's fetch spent ~3 ms of CPU per request in the worker (measured: bench prints the clients'
 * share), on the same two cores as the server it is meant to measure.
 */
export const clientSource = `
const { parentPort, workerData: w } = require('node:worker_threads');
const http = require('node:http');
const places = ${JSON.stringify(places)}, problems = ${JSON.stringify(problems)}, asks = ${JSON.stringify(asks)};
const complaint = (i) => places[i % places.length] + problems[Math.floor(i / places.length) % problems.length] + '，' + asks[Math.floor(i / 144) % asks.length];
// Keep-alive connections, one per client in flight, as browsers and the operators' console hold them.
const agent = new http.Agent({ keepAlive: true, maxSockets: w.concurrency });
const base = new URL(w.base);
function request(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: base.hostname, port: base.port, method, path, headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 300) reject(new Error(method + ' ' + path + ': ' + res.statusCode + ' ' + text));
        else resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function one(i) {
  const mobile = String(13900000000 + (((w.offset + i) * 7919) % 5000) + 1);
  const summary = complaint(w.offset + i);
  if (w.kind === 'hotline') return request('POST', '/api/v1/hotline/calls', { authorization: 'Bearer ' + w.token }, JSON.stringify({ callerNumber: mobile, startedAt: new Date().toISOString(), durationSeconds: 60, summary }));
  // Owners behind the reverse proxy, each from their own address (the per-IP limit is per address).
  const ip = '10.' + ((i >> 16) & 255) + '.' + ((i >> 8) & 255) + '.' + (i & 255);
  const c = JSON.parse(await request('GET', '/api/v1/web-complaints/challenge', { 'x-forwarded-for': ip }));
  // Spread over the large estate's 5,000 units, as a real day's submissions are (one unit's recent cases stay few).
  const u = ((w.offset + i) * 7919) % 5000;
  const unitText = (1 + Math.floor(u / 100)) + '栋1单元' + ((1 + Math.floor((u % 100) / 5)) * 100 + 1 + (u % 5));
  return request('POST', '/api/v1/web-complaints', { 'x-forwarded-for': ip }, JSON.stringify({ name: '业主', mobile, projectId: w.projectId, unitText, type: 'complaint', description: summary, challenge: c.challenge, nonce: '' }));
}
(async () => {
  const latencies = [];
  let next = 0;
  const started = performance.timeOrigin + performance.now();
  const elu = performance.eventLoopUtilization();
  await Promise.all(Array.from({ length: w.concurrency }, async () => {
    for (let i = next++; i < w.n; i = next++) { const t = performance.now(); await one(i); latencies.push(performance.now() - t); }
  }));
  agent.destroy();
  parentPort.postMessage({ started, latencies, clientBusyMs: performance.eventLoopUtilization(elu).active });
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;
