/** Figure 7 in BENCHMARKS.md, and its lines of the console summary (see postgres.ts). */
import { PG_GOALS, POSTGRES_MARKERS, type IngestFigures, type PostgresResult, type QueryFigures, type StoreKind } from './postgres.js';
import { figure as ms, markdownTable, measuredBy, type RunInfo } from './section.js';

const STORE_NAMES: Record<StoreKind, string> = { files: 'JSON files', postgres: 'PostgreSQL' };
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const count = (n: number): string => n.toLocaleString('en-US');
const verdict = (ok: boolean, by: string): string => (ok ? 'meets the goal' : `**misses the goal** (${by})`);

function queryOf(r: PostgresResult, kind: StoreKind): QueryFigures {
  const q = r.queries.find((x) => x.kind === kind);
  if (q === undefined) throw new Error(`no query figures for ${kind}`);
  return q;
}

function ingestOf(r: PostgresResult, kind: StoreKind, instances: number): IngestFigures | undefined {
  return r.ingest.find((x) => x.kind === kind && x.instances === instances);
}

function goalRow(label: string, goal: number, pick: (q: QueryFigures) => number, r: PostgresResult): string[] {
  const pg = pick(queryOf(r, 'postgres'));
  const files = pick(queryOf(r, 'files'));
  return [label, `**${ms(pg)} ms**`, `${ms(files)} ms`, `< ${goal} ms`, verdict(pg < goal, `${ms(pg - goal)} ms over`)];
}

export function postgresSection(r: PostgresResult, info: RunInfo): string {
  const pgBytes = r.postgresSize.tables.reduce((s, t) => s + t.tableBytes + t.indexBytes, 0);
  const ingestRows = ([1, 2] as const).map((instances) => {
    const pg = ingestOf(r, 'postgres', instances);
    const files = ingestOf(r, 'files', instances);
    const cell = (x: IngestFigures | undefined) => (x === undefined ? '–' : `${count(Math.round(x.spansPerSecond))} (flush ${ms(x.flushMs)} ms${x.allStored ? '' : ', **not all stored**'})`);
    return [`OTLP ingest, ${instances} instance${instances === 1 ? '' : 's'} on one store, spans/s`, `**${cell(pg)}**`, cell(files), '(info)', ''];
  });
  return `${POSTGRES_MARKERS.begin}
## 7. More than one machine: PostgreSQL beside the files

${measuredBy(info)}

${count(r.sessions)} sessions stored in each store (6 to 75 calls of 2 to 8 tools, over 30 days), seeded in ${r.seedSeconds.postgres.toFixed(1)} s into PostgreSQL
(the store's own SQL, transactions of 250 sessions on 4 connections) and ${r.seedSeconds.files.toFixed(1)} s into files (\`FileReportStore.put\`, 32 at a time).
Each report server runs \`createReports\` + \`startReportServer\` on its own worker thread with its own store; autocannon sends from the
main thread over loopback, 10 connections for 5 s (the trends: 1 connection), after the server's warm-up. PostgreSQL 15 (Debian) in a temp dir
with fsync and synchronous_commit off (test/helpers/postgres-server.ts): the query figures do not depend on it, the ingest figures do.

${markdownTable([
    ['figure', 'PostgreSQL', 'JSON files', 'goal', ''],
    goalRow('first `GET /api/v1/sessions` page, p99', PG_GOALS.firstPageP99, (q) => q.firstPage.p99, r),
    goalRow('`GET /api/v1/sessions/{id}/report`, random sessions, p99', PG_GOALS.reportP99, (q) => q.report.p99, r),
    goalRow('`GET /api/v1/tools` (tool trends), p99', PG_GOALS.trendsMs, (q) => q.trends.p99, r),
    ['`GET /api/v1/tools`, first request after warm-up', `${ms(queryOf(r, 'postgres').trendsFirstMs)} ms`, `${ms(queryOf(r, 'files').trendsFirstMs)} ms`, '(info)', ''],
    ['first `GET /api/v1/sessions` the moment the server listens', `${ms(queryOf(r, 'postgres').coldFirstPageMs)} ms`, `${ms(queryOf(r, 'files').coldFirstPageMs)} ms`, '(info)', ''],
    ['server start to warm-up done', `${ms(queryOf(r, 'postgres').readyMs)} ms`, `${ms(queryOf(r, 'files').readyMs)} ms`, '(info)', ''],
    ...ingestRows,
    [`${count(r.sessions)} sessions on disk`, `${mib(pgBytes)} (${count(Math.round(pgBytes / r.sessions))} B a session)`, `${mib(r.filesSize.bytes)} (${count(Math.round(r.filesSize.bytes / r.sessions))} B a session; ${mib(r.filesSize.diskBytes)} in blocks)`, '(info)', ''],
  ])}

Requests per second, p50 (ms): ${r.queries.map((q) => `${STORE_NAMES[q.kind]}: first page ${count(Math.round(q.firstPage.requestsPerSecond))}/s, p50 ${ms(q.firstPage.p50)}; report ${count(Math.round(q.report.requestsPerSecond))}/s, p50 ${ms(q.report.p50)}; trends ${count(Math.round(q.trends.requestsPerSecond))}/s, p50 ${ms(q.trends.p50)}`).join('. ')}.

**Ingest.** Protobuf bodies of ${512} spans (this package's spans, made by the SDK and its serializer) over 64 sessions, sent by autocannon on
4 connections per instance for 6 s; the flush writes what was folded and not yet written. Every span acknowledged was counted in the
stored reports afterwards, plus at most the 4 requests per instance in flight when autocannon stopped (a cell says so when not). Two instances share the machine's 2 cores with autocannon and PostgreSQL.

**Sizes in PostgreSQL** (after \`VACUUM ANALYZE\`; the database in all: ${mib(r.postgresSize.databaseBytes)}):

${markdownTable([
    ['table', 'rows', 'table (with TOAST)', 'indexes'],
    ...r.postgresSize.tables.map((t) => [`\`${t.table}\``, count(t.rows), mib(t.tableBytes), mib(t.indexBytes)]),
  ])}

${markdownTable([['index', 'size'], ...r.postgresSize.indexes.slice(0, 12).map((i) => [`\`${i.index}\``, mib(i.bytes)])])}
${POSTGRES_MARKERS.end}`;
}

export function postgresSummaryRows(r: PostgresResult): string[][] {
  const pg = queryOf(r, 'postgres');
  const rows = [
    ['pg: first page p99', `${ms(pg.firstPage.p99)} ms`, `< ${PG_GOALS.firstPageP99} ms ${pg.firstPage.p99 < PG_GOALS.firstPageP99 ? 'ok' : 'MISSED'}`],
    ['pg: report p99', `${ms(pg.report.p99)} ms`, `< ${PG_GOALS.reportP99} ms ${pg.report.p99 < PG_GOALS.reportP99 ? 'ok' : 'MISSED'}`],
    ['pg: tool trends p99', `${ms(pg.trends.p99)} ms`, `< ${PG_GOALS.trendsMs} ms ${pg.trends.p99 < PG_GOALS.trendsMs ? 'ok' : 'MISSED'}`],
  ];
  for (const x of r.ingest) rows.push([`${x.kind}: ingest, ${x.instances} instance(s)`, `${Math.round(x.spansPerSecond)} spans/s`, x.allStored ? 'all stored' : 'NOT ALL STORED']);
  return rows;
}
