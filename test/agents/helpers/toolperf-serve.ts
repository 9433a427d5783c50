import { createReports, type Reports } from '../../../src/reports/reports.js';
import { startReportServer, type RunningReportServer } from '../../../src/server/start.js';
import { startStatusProxy, type StatusProxy } from './status-proxy.js';

export interface ToolperfServe {
  readonly reports: Reports;
  readonly server: RunningReportServer;
  /** The agent's endpoint: the server behind a proxy that notes every status it answered. */
  readonly proxy: StatusProxy;
  /** Closes the proxy and the server, then shuts the reports down (held calls folded first). */
  stop(): Promise<void>;
}

/** What `toolperf serve` runs (reports over `dataDir`, ingest on, no dashboard), on a free loopback port. */
export async function startToolperfServe(dataDir: string): Promise<ToolperfServe> {
  const reports = createReports({ dataDir });
  const server = await startReportServer({ reports, host: '127.0.0.1', port: 0, dashboard: false });
  const proxy = await startStatusProxy(server.url);
  return {
    reports,
    server,
    proxy,
    stop: async () => {
      await proxy.close();
      await server.close();
      await reports.shutdown();
    },
  };
}
