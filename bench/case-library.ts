/**
 * npm run bench:case-library — 案例库 search over BENCH_CASES cases (default 200,000) with BENCH_EVENTS_PER_CASE
 * text-bearing timeline events each (default 2: a handling note and a reply), in Chinese made of realistic phrases.
 * Writes them with set-based SQL (the triggers fill case_search), indexes them through refreshCaseSearch (jieba in
 * Node, the real path), then times searchCases for a set of queries beside two raw SQL baselines in the same run:
 * the bare GIN lookup (no join, no sort, no count: the floor) and an ILIKE scan over description and event texts
 * (what search would cost without the index). Prints median and p95 per query and the ratios.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { allWordsQuery, dataSourceOptions, queryWords, refreshCaseSearch, searchCases } from '@kefu/shared';
import { benchServices } from './bench-env';

const PLACES = [
  '卫生间',
  '厨房',
  '客厅',
  '主卧',
  '次卧',
  '阳台',
  '外墙',
  '地下车库',
  '电梯厅',
  '入户门',
  '飘窗',
  '楼道',
];
const PROBLEMS = [
  '渗水',
  '漏水',
  '墙面空鼓',
  '瓷砖开裂',
  '地板起拱',
  '门窗变形关不严',
  '下水道堵塞',
  '噪音扰民',
  '天花板发霉',
  '电梯经常停运',
  '门禁卡失灵',
  '物业费收费不合理',
  '绿化没有养护',
  '车位被占用',
  '保修期内维修不及时',
  '房产证迟迟办不下来',
];
const TAILS = ['，多次反映无人处理', '，请尽快派人查看', '，影响正常居住', '，要求赔偿损失', '，希望给个说法', ''];
const NOTES = ['已派维修人员上门查勘', '已联系施工单位返修', '已约业主周六上门', '已更换配件并试水', '已协调保洁处理'];
const REPLIES = ['经查系防水层破损，已安排重做', '已完成维修，业主确认', '已解释收费标准并道歉', '已调整保洁排班'];

const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(',')}]`;
const pick = (xs: string[], seed: string) => `(${arr(xs)})[1 + ((${seed}) % ${xs.length})]`;

export interface CaseLibraryBenchResult {
  cases: number;
  events: number;
  indexSeconds: number;
  queries: Array<{
    query: string;
    total: number;
    searchMs: [number, number];
    ginMs: [number, number];
    ilikeMs: number;
  }>;
}

function quantiles(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 2)]!, s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!];
}

async function timed(n: number, f: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await f();
    out.push(performance.now() - t);
  }
  return out;
}

export async function runCaseLibraryBench(opts: { cases?: number; eventsPerCase?: number; runs?: number } = {}) {
  const n = opts.cases ?? Number(process.env.BENCH_CASES ?? 200_000);
  const perCase = opts.eventsPerCase ?? Number(process.env.BENCH_EVENTS_PER_CASE ?? 2);
  const runs = opts.runs ?? 20;
  const services = await benchServices();
  const ds = new DataSource(dataSourceOptions(services.databaseUrl, { poolSize: 4 }));
  await ds.initialize();
  // Bulk writes and the ILIKE baseline outlast the app's 30 s statement timeout: one session without it.
  const raw = ds.createQueryRunner();
  await raw.query('SET statement_timeout = 0');
  try {
    let t = performance.now();
    await raw.query(
      `INSERT INTO cases (number, type, channel, description, received_at, validity, status)
       SELECT 'BENCH-' || i, (ARRAY['complaint','repair','claim','enquiry'])[1 + i % 4], 'hotline',
              (i % 30 + 1) || '号楼' || ${pick(PLACES, 'i * 7')} || ${pick(PROBLEMS, 'i * 13 + i / 97')} || ${pick(TAILS, 'i / 3')},
              now() - (i % 730) * interval '1 day', 'valid', 'closed'
         FROM generate_series(1, $1::int) i`,
      [n],
    );
    await raw.query(
      `INSERT INTO case_events (case_id, kind, actor_label, occurred_at, details)
       SELECT c.id, CASE WHEN k = 1 THEN 'assigned' ELSE 'replied' END, 'bench', c.received_at + k * interval '1 hour',
              CASE WHEN k = 1 THEN jsonb_build_object('note', ${pick(NOTES, 'abs(hashtext(c.number))')})
                   ELSE jsonb_build_object('content', ${pick(REPLIES, 'abs(hashtext(c.number || k))')}) END
         FROM cases c CROSS JOIN generate_series(1, $1::int) k`,
      [perCase],
    );
    const writeSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    let indexed = 0;
    for (let got = 1; got > 0; indexed += got) got = await refreshCaseSearch(ds, 10_000, 2000);
    const indexSeconds = (performance.now() - t) / 1000;
    await raw.query('VACUUM ANALYZE case_search, cases, case_events');
    process.stdout.write(
      `${n} cases, ${n * perCase} events written in ${writeSeconds.toFixed(1)} s; ` +
        `${indexed} indexed (jieba + tsvector) in ${indexSeconds.toFixed(1)} s = ${(indexed / indexSeconds).toFixed(0)} cases/s\n`,
    );

    const result: CaseLibraryBenchResult = { cases: n, events: n * perCase, indexSeconds, queries: [] };
    for (const query of ['渗水', '卫生间渗水', '电梯停运', '物业费', '防水层', '天花板发霉 赔偿', '不存在的词语']) {
      const words = queryWords(query);
      const total = (await searchCases(ds, { query })).total;
      const search = quantiles(await timed(runs, () => searchCases(ds, { query })));
      const gin = quantiles(
        await timed(runs, () =>
          ds.query(`SELECT case_id FROM case_search WHERE words @@ $1::tsquery LIMIT 20`, [allWordsQuery(words)]),
        ),
      );
      // The plain scan: every word somewhere in the description or an event's texts (a few runs: it is slow).
      const like = words.map((w) => `%${w}%`);
      const ilike = quantiles(
        await timed(3, () =>
          raw.query(
            `SELECT c.id, c.number FROM cases c
              WHERE (SELECT bool_and(c.description || ' ' || coalesce((SELECT string_agg(e.details::text, ' ')
                       FROM case_events e WHERE e.case_id = c.id), '') ILIKE p) FROM unnest($1::text[]) p)
              ORDER BY c.received_at DESC LIMIT 20`,
            [like],
          ),
        ),
      )[0];
      result.queries.push({ query, total, searchMs: search, ginMs: gin, ilikeMs: ilike });
      process.stdout.write(
        `「${query}」 [${words.join(' ')}] ${total} hits: search p50 ${search[0].toFixed(1)} ms p95 ${search[1].toFixed(1)} ms | ` +
          `bare GIN p50 ${gin[0].toFixed(1)} ms (search/GIN ${(search[0] / gin[0]).toFixed(1)}×) | ` +
          `ILIKE scan ${ilike.toFixed(0)} ms (${(ilike / search[0]).toFixed(0)}× slower than search)\n`,
      );
    }
    return result;
  } finally {
    await raw.release();
    await ds.destroy();
    await services.stop();
  }
}

if (require.main === module) {
  runCaseLibraryBench().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
