import { Option, type Command } from 'commander';
import { ALERT_STATES, type AlertState } from '../../document/report.js';
import type { ListedAlert } from '../../reports/alerts/alert-text.js';
import type { CliIo } from '../cli-io.js';
import { parseLimit, parseSessionId } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';
import { textTable, type TextColumn } from '../text-table.js';
import { withReports } from '../with-reports.js';

interface AlertsOptions extends StoreOptions {
  readonly state?: AlertState;
  readonly session?: string;
  readonly tool?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

const COLUMNS: TextColumn[] = [
  { title: 'state', align: 'left' },
  { title: 'rule', align: 'left' },
  { title: 'session', align: 'left' },
  { title: 'tool', align: 'left' },
  { title: 'fired', align: 'left' },
  { title: 'resolved', align: 'left' },
  { title: 'why', align: 'left' },
];

export function addAlertsCommand(program: Command, io: CliIo): void {
  addStoreOptions(
    program
      .command('alerts')
      .summary('list alerts (slow, hung and failing calls, regressions), latest first')
      .description('List the alerts stored with the sessions, latest transition first: which rule fired for which session and tool, when, and the numbers that made it fire.'),
  )
    .addOption(new Option('--state <state>', 'only alerts in this state').choices(ALERT_STATES))
    .option('--session <id>', "only this session's alerts", parseSessionId)
    .option('--tool <name>', "only this tool's alerts")
    .option('--limit <n>', 'show at most N alerts (default 100)', parseLimit)
    .option('--json', 'print {"alerts": [...]} as JSON, the shape GET /api/v1/alerts answers')
    .addHelpText('after', ['', 'Examples:', '  toolperf alerts --state firing', '  toolperf alerts --session ses_1 --json', '  toolperf alerts --tool bash --limit 20'].join('\n'))
    .action((options: AlertsOptions) =>
      withReports(options, io, async ({ reports, dataDir }) => {
        const { state, session, tool, limit = 100 } = options;
        const alerts = await reports.listAlerts({ limit, ...(state ? { state } : {}), ...(session ? { sessionId: session } : {}), ...(tool ? { toolName: tool } : {}) });
        if (options.json) io.stdout(`${JSON.stringify({ alerts }, null, 2)}\n`);
        else if (alerts.length === 0) io.stdout(`No alerts${state || session || tool ? ' match' : ''} in ${dataDir}\n`);
        else io.stdout(`${textTable(COLUMNS, alerts.map(row)).join('\n')}\n`);
      }),
    );
}

function row(alert: ListedAlert): string[] {
  const suppressed = alert.suppressed > 0 ? ` (${alert.suppressed} suppressed)` : '';
  return [alert.state, alert.rule, alert.sessionId, alert.toolName, time(alert.firedAt), alert.resolvedAt ? time(alert.resolvedAt) : '-', alert.message + suppressed];
}

function time(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}
