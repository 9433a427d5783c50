// How a session is labelled wherever it appears: its status badge and its agent.

import { h } from './dom.js';

const STATUS_TITLES = {
  active: 'A call within the idle threshold',
  idle: 'No call for longer than the idle threshold',
  ended: 'Ended',
};

/** The server's `status` (`active`, `idle`, `ended`); from `endedAt` for a server that sends none. */
export function sessionStatus(session) {
  if (Object.hasOwn(STATUS_TITLES, session.status)) return session.status;
  return session.endedAt === undefined ? 'active' : 'ended';
}

export function statusBadge(status) {
  const known = Object.hasOwn(STATUS_TITLES, status) ? status : 'idle';
  return h('span', { class: `badge ${known}`, title: STATUS_TITLES[known], 'data-status': known }, known);
}

/** `claude-code 2.1.332`, or `–` for a session no agent named (a wrapped tool's). */
export function agentLabel(agent) {
  if (agent === undefined) return '–';
  return agent.version === undefined ? agent.name : `${agent.name} ${agent.version}`;
}
