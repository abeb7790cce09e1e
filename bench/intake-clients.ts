/** The load of bench:intake: varied complaint texts and the HTTP clients that send them. */
// Varied complaints, as a real day brings: mostly unrelated texts, so duplicate linking does realistic work.
export const places = [
  '客厅',
  '主卧',
  '次卧',
  '厨房',
  '阳台',
  '车库',
  '大堂',
  '电梯间',
  '楼道',
  '花园',
  '门禁',
  '地下室',
];
export const problems = [
  '墙面开裂',
  '窗户关不严',
  '地砖空鼓',
  '天花板渗水',
  '插座没电',
  '下水道堵塞',
  '门锁坏了',
  '灯不亮',
  '有异味',
  '噪音很大',
  '瓷砖脱落',
  '暖气不热',
];
export const asks = [
  '请尽快派人来看',
  '已经反映过一次了',
  '希望本周内处理',
  '什么时候能修好',
  '请给个答复',
  '影响正常生活',
];
export const complaint = (i: number) =>
  `${places[i % places.length]}${problems[Math.floor(i / places.length) % problems.length]}，${asks[Math.floor(i / 144) % asks.length]}`;

/**
 * The HTTP clients, in a worker thread: owners' phones and browsers are not in the server's process, so
 * the load generator must not share its event loop (it would bill the server for the client's JSON,
 * sockets and HTTP machinery). Plain JS, run by the worker as is. Plain HTTP/1.1 over keep-alive sockets
 * rather than fetch or node:http: undici's fetch spent ~3 ms of CPU per request in the worker, node:http
 * ~0.27 ms (measured: bench prints the clients' share), on the same two cores as the server it measures.
 */
export const clientSource = `
const { parentPort, workerData: w } = require('node:worker_threads');
const places = ${JSON.stringify(places)}, problems = ${JSON.stringify(problems)}, asks = ${JSON.stringify(asks)};
const complaint = (i) => places[i % places.length] + problems[Math.floor(i / places.length) % problems.length] + '，' + asks[Math.floor(i / 144) % asks.length];
// One keep-alive connection per client in flight, as browsers and the operators' console hold them, each
// speaking plain HTTP/1.1 over its socket: node:http's client machinery cost ~0.27 ms of CPU per request,
// taken from the two cores the server under test runs on (the raw baseline has no client at all).
const net = require('node:net');
const base = new URL(w.base);
const CRLF2 = Buffer.from('\\r\\n\\r\\n');
class Conn {
  constructor() {
    this.socket = net.connect(Number(base.port), base.hostname);
    this.socket.setNoDelay(true);
    this.buf = Buffer.alloc(0);
    this.waiting = null;
    this.socket.on('data', (d) => { this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d; this.parse(); });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }
  fail(err) { const w = this.waiting; this.waiting = null; if (w) w.reject(err); }
  parse() {
    if (!this.waiting) return;
    const end = this.buf.indexOf(CRLF2);
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const length = /\\r\\ncontent-length: *(\\d+)/i.exec(head);
    if (!length) return this.fail(new Error('response without content-length: ' + head.split('\\r\\n')[0]));
    const total = end + 4 + Number(length[1]);
    if (this.buf.length < total) return;
    const status = Number(head.slice(9, 12));
    const text = this.buf.toString('utf8', end + 4, total);
    this.buf = this.buf.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    if (status >= 300) w.reject(new Error(w.what + ': ' + status + ' ' + text));
    else w.resolve(text);
  }
  request(method, path, headers, body) {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, what: method + ' ' + path };
      let head = method + ' ' + path + ' HTTP/1.1\\r\\nhost: ' + base.host + '\\r\\n';
      for (const [k, v] of Object.entries(headers)) head += k + ': ' + v + '\\r\\n';
      if (body === undefined) this.socket.write(head + '\\r\\n');
      else {
        const bytes = Buffer.from(body);
        this.socket.write(Buffer.concat([Buffer.from(head + 'content-type: application/json\\r\\ncontent-length: ' + bytes.length + '\\r\\n\\r\\n'), bytes]));
      }
    });
  }
}
async function one(conn, i) {
  const mobile = String(13900000000 + (((w.offset + i) * 7919) % 5000) + 1);
  const summary = complaint(w.offset + i);
  if (w.kind === 'hotline') return conn.request('POST', '/api/v1/hotline/calls', { authorization: 'Bearer ' + w.token }, JSON.stringify({ callerNumber: mobile, startedAt: new Date().toISOString(), durationSeconds: 60, summary }));
  // Owners behind the reverse proxy, each from their own address (the per-IP limit is per address).
  const ip = '10.' + ((i >> 16) & 255) + '.' + ((i >> 8) & 255) + '.' + (i & 255);
  const c = JSON.parse(await conn.request('GET', '/api/v1/web-complaints/challenge', { 'x-forwarded-for': ip }));
  // Spread over the large estate's 5,000 units, as a real day's submissions are (one unit's recent cases stay few).
  const u = ((w.offset + i) * 7919) % 5000;
  const unitText = (1 + Math.floor(u / 100)) + '栋1单元' + ((1 + Math.floor((u % 100) / 5)) * 100 + 1 + (u % 5));
  return conn.request('POST', '/api/v1/web-complaints', { 'x-forwarded-for': ip }, JSON.stringify({ name: '业主', mobile, projectId: w.projectId, unitText, type: 'complaint', description: summary, challenge: c.challenge, nonce: '' }));
}
(async () => {
  const latencies = [];
  let next = 0;
  const started = performance.timeOrigin + performance.now();
  const elu = performance.eventLoopUtilization();
  const conns = Array.from({ length: w.concurrency }, () => new Conn());
  await Promise.all(conns.map(async (conn) => {
    for (let i = next++; i < w.n; i = next++) { const t = performance.now(); await one(conn, i); latencies.push(performance.now() - t); }
  }));
  for (const conn of conns) { conn.socket.removeAllListeners('close'); conn.socket.destroy(); }
  parentPort.postMessage({ started, latencies, clientBusyMs: performance.eventLoopUtilization(elu).active });
})().catch((err) => parentPort.postMessage({ error: String(err && err.message || err) }));
`;
