import { InvalidArgumentError, Option, type Command } from 'commander';
import { SESSION_STATUSES, type ListedSession, type SessionStatus } from '../../document/report.js';
import { SESSION_SORT_FIELDS, type SessionFilter, type SessionSortField, type SortOrder } from '../../reports/session-query.js';
import type { CliIo } from '../cli-io.js';
import { withReports } from '../with-reports.js';
import { parseBooleanOption, parseLimit, parseTimeOption } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';
import { textTable, type TextColumn } from '../text-table.js';

interface SessionsOptions extends StoreOptions {
  readonly limit?: number;
  readonly json?: boolean;
  readonly status?: SessionStatus[];
  readonly hasErrors?: boolean;
  readonly tool?: string;
  readonly since?: number;
  readonly until?: number;
  readonly search?: string;
  readonly sort: SessionSortField;
  readonly order: SortOrder;
  readonly agent?: string;
}

const COLUMNS: TextColumn[] = [
  { title: 'session', align: 'left' },
  { title: 'status', align: 'left' },
  { title: 'agent', align: 'left' },
  { title: 'started', align: 'left' },
  { title: 'updated', align: 'left' },
  { title: 'duration', align: 'right' },
  { title: 'calls', align: 'right' },
  { title: 'tool calls', align: 'right' },
  { title: 'errors', align: 'right' },
  { title: 'error rate', align: 'right' },
];

export function addSessionsCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('sessions').summary('list stored sessions, newest first').description('List the stored sessions (most recently updated first unless --sort says otherwise), with their status: active (a call within the idle threshold, the config\'s idleAfterMs), idle, or ended.'))
    .option('--limit <n>', 'show at most N sessions', parseLimit)
    .option('--status <list>', `only sessions with this status, or one of several separated by commas (${SESSION_STATUSES.join(', ')})`, parseStatuses)
    .option('--has-errors [bool]', 'only sessions with a failed call (--has-errors false: without one)', parseBooleanOption)
    .option('--tool <name>', 'only sessions that called this tool')
    .option('--since <time>', 'only sessions updated at or after this time: ISO 8601, or a duration back from now (2h)', parseTimeOption)
    .option('--until <time>', 'only sessions updated at or before this time: ISO 8601, or a duration back from now', parseTimeOption)
    .option('--search <text>', 'only sessions whose ID holds this text, any case')
    .option('--agent <name>', 'only sessions from this agent (claude-code, codex, gemini-cli, opencode, ...)')
    .addOption(new Option('--sort <field>', 'sort by this field').choices(SESSION_SORT_FIELDS).default('updatedAt'))
    .addOption(new Option('--order <order>', 'sort order').choices(['asc', 'desc']).default('desc'))
    .option('--json', 'print {"sessions": [...]} as JSON, the shape GET /api/v1/sessions answers')
    .addHelpText('after', [
      '',
      'Examples:',
      '  toolperf sessions --limit 10 --data-dir ./.toolperf',
      '  toolperf sessions --status active,idle --has-errors --since 2h',
      '  toolperf sessions --tool bash --sort errorRate --order desc',
      '  toolperf sessions --agent claude-code',
    ].join('\n'))
    .action((options: SessionsOptions) =>
      withReports(options, io, async ({ reports, location }) => {
        const sort = { by: options.sort, order: options.order };
        const sessions = (await reports.listSessions({ filter: filterOf(options), sort })).slice(0, options.limit);
        if (options.json) io.stdout(`${JSON.stringify({ sessions }, null, 2)}\n`);
        else if (sessions.length === 0) io.stdout(`No sessions${isFiltered(options) ? ' match' : ''} in ${location}\n`);
        else io.stdout(`${textTable(COLUMNS, sessions.map(row)).join('\n')}\n`);
      }),
    );
}

function filterOf(options: SessionsOptions): SessionFilter {
  const { status, hasErrors, tool, since, until, search, agent } = options;
  return Object.fromEntries(Object.entries({ status, hasErrors, tool, since, until, search, agent }).filter(([, value]) => value !== undefined));
}

function isFiltered(options: SessionsOptions): boolean {
  return Object.keys(filterOf(options)).length > 0;
}

function parseStatuses(raw: string): SessionStatus[] {
  const parts = raw.split(',').map((part) => part.trim());
  for (const part of parts) {
    if (!(SESSION_STATUSES as readonly string[]).includes(part)) throw new InvalidArgumentError(`expected ${SESSION_STATUSES.join(', ')}, or several separated by commas.`);
  }
  return parts as SessionStatus[];
}

function row(s: ListedSession): string[] {
  return [
    s.sessionId,
    s.status,
    s.agent === undefined ? '-' : s.agent.version === undefined ? s.agent.name : `${s.agent.name} ${s.agent.version}`,
    time(s.startedAt),
    time(s.updatedAt),
    duration(s.durationMs),
    String(s.calls),
    String(s.toolCalls),
    String(s.errors),
    `${(s.errorRate * 100).toFixed(1)}%`,
  ];
}

/** Seconds are enough to tell sessions apart; the JSON keeps the milliseconds. */
function time(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

/** `850ms`, `12.3s`, `4m05s`, `2h07m`: a session's length at a glance. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
