import type { Command } from 'commander';
import type { SessionSummary } from '../../document/report.js';
import type { CliIo } from '../cli-io.js';
import { withReports } from '../with-reports.js';
import { parseLimit } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';
import { textTable, type TextColumn } from '../text-table.js';

interface SessionsOptions extends StoreOptions {
  readonly limit?: number;
  readonly json?: boolean;
  readonly agent?: string;
}

const COLUMNS: TextColumn[] = [
  { title: 'session', align: 'left' },
  { title: 'started', align: 'left' },
  { title: 'updated', align: 'left' },
  { title: 'ended', align: 'left' },
  { title: 'agent', align: 'left' },
  { title: 'calls', align: 'right' },
  { title: 'errors', align: 'right' },
];

export function addSessionsCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('sessions').summary('list stored sessions, newest first').description('List the stored sessions, most recently updated first.'))
    .option('--limit <n>', 'show at most N sessions', parseLimit)
    .option('--json', 'print {"sessions": [...]} as JSON, the shape GET /api/v1/sessions answers')
    .option('--agent <name>', 'only sessions from this agent (claude-code, codex, gemini-cli, opencode, ...)')
    .addHelpText('after', '\nExamples:\n  toolperf sessions --limit 10 --data-dir ./.toolperf\n  toolperf sessions --agent claude-code')
    .action((options: SessionsOptions) =>
      withReports(options, io, async ({ reports, dataDir }) => {
        const listed = await reports.listSessions();
        const sessions = (options.agent === undefined ? listed : listed.filter((s) => s.agent?.name === options.agent)).slice(0, options.limit);
        if (options.json) io.stdout(`${JSON.stringify({ sessions }, null, 2)}\n`);
        else if (sessions.length === 0) io.stdout(`No sessions in ${dataDir}\n`);
        else io.stdout(`${textTable(COLUMNS, sessions.map(row)).join('\n')}\n`);
      }),
    );
}

function row(s: SessionSummary): string[] {
  const agent = s.agent === undefined ? '-' : s.agent.version === undefined ? s.agent.name : `${s.agent.name} ${s.agent.version}`;
  return [s.sessionId, time(s.startedAt), time(s.updatedAt), s.endedAt === undefined ? '-' : time(s.endedAt), agent, String(s.calls), String(s.errors)];
}

/** Seconds are enough to tell sessions apart; the JSON keeps the milliseconds. */
function time(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}
