// One call as the reader asks about it: a chart's tooltip on hover, and on click (a point, a bar,
// a row) a panel with everything the report holds of it and a link to its trace in Jaeger.

import { button, h, timeElement } from './dom.js';
import { formatMs, formatSeconds, formatTime } from './format.js';
import { traceHref } from './settings.js';

const TOOLTIP_MESSAGE_LENGTH = 90;

/** Seconds from the session's start to the call's. */
export function offsetSeconds(call, sessionStartMs) {
  return (Date.parse(call.startedAt) - sessionStartMs) / 1000;
}

/** `ok`, or `failed: ENOENT`. */
export function outcomeOf(call) {
  return call.ok ? 'ok' : `failed: ${call.errorType ?? 'error'}`;
}

/** The tooltip's lines for a call: what it was, when, how long, how it ended. */
export function callTooltipLines(call, sessionStartMs) {
  const lines = [
    `${call.toolName} (${call.operationType})`,
    `call ${call.callId ?? '–'}`,
    `start +${formatSeconds(offsetSeconds(call, sessionStartMs))}, ${formatTime(call.startedAt)}`,
    `duration ${formatMs(call.durationMs)}`,
    outcomeOf(call),
  ];
  if (call.errorMessage) {
    const message = call.errorMessage.length > TOOLTIP_MESSAGE_LENGTH ? `${call.errorMessage.slice(0, TOOLTIP_MESSAGE_LENGTH - 1)}…` : call.errorMessage;
    lines.push(message);
  }
  lines.push('click for details');
  return lines;
}

/** A key that names a call across polls (the report's objects are new each time). */
export function callKey(call) {
  return `${call.startedAt}\u0000${call.toolName}\u0000${call.callId ?? ''}\u0000${call.durationMs}`;
}

/**
 * The panel: hidden until `show(call, sessionStartMs)`; `onClose` is told when the reader closes
 * it, so the views can drop their highlight.
 */
export function createCallDetails(onClose) {
  const element = h('aside', { class: 'call-details', 'aria-label': 'Call details', 'aria-live': 'polite', hidden: true, 'data-panel': 'call-details' });
  let shown;
  const close = () => {
    shown = undefined;
    element.hidden = true;
    element.replaceChildren();
    onClose?.();
  };
  return {
    element,
    get shown() {
      return shown;
    },
    show(call, sessionStartMs) {
      shown = call;
      const item = (term, ...value) => [h('dt', {}, term), h('dd', { 'data-field': term }, ...value)];
      const href = traceHref(call.traceId);
      element.replaceChildren(
        h('header', {},
          h('h3', {}, h('span', { class: `dot ${call.ok ? 'ok' : 'failed'}` }), call.toolName),
          button('Close', { class: 'quiet', 'aria-label': 'Close call details' }, close),
        ),
        h('dl', {},
          item('Tool', call.toolName),
          item('Operation', call.operationType),
          item('Call ID', call.callId ?? '–'),
          item('Started', timeElement(call.startedAt, formatTime(call.startedAt)), h('span', { class: 'muted' }, ` (+${formatSeconds(offsetSeconds(call, sessionStartMs))})`)),
          item('Duration', formatMs(call.durationMs)),
          item('Outcome', call.ok ? h('span', { class: 'outcome ok' }, 'ok') : h('span', { class: 'outcome failed' }, 'failed')),
          call.ok ? null : item('Error type', call.errorClass ? `${call.errorType ?? '–'} (${call.errorClass})` : (call.errorType ?? '–')),
          call.errorMessage ? item('Message', h('span', { class: 'message' }, call.errorMessage)) : null,
          item('Trace', traceCell(call, href)),
        ),
      );
      element.hidden = false;
    },
    close,
  };
}

/** The trace: a link to Jaeger when the server knows it, else the ID as text (or `–`). */
export function traceCell(call, href = traceHref(call.traceId)) {
  if (!call.traceId) return '–';
  if (href === undefined) return h('code', { class: 'id' }, call.traceId);
  return h('a', { href, target: '_blank', rel: 'noopener noreferrer', 'data-trace': call.traceId }, 'Trace ↗');
}
