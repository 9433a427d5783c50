// A session's recent calls as the timeline and the waterfall draw them: one series per tool, in
// the tool's colour (tools ordered by calls, so the busiest keep the first colours), and one
// series per other operation type (LLM calls, ...), drawn apart in the colour of LLM calls.

import { colors, paletteColor } from './theme.js';

export const TOOL_OPERATION = 'tool-execution';

/**
 * `[{ label, color, isTool, calls }]`: tools first (most calls first), then other operation types
 * by name. `calls` keep the report's order (oldest first).
 */
export function callSeries(report) {
  const toolCounts = report.operations[TOOL_OPERATION]?.tools ?? {};
  const byKey = new Map();
  for (const call of report.recent) {
    const isTool = call.operationType === TOOL_OPERATION;
    const key = isTool ? `t\u0000${call.toolName}` : `o\u0000${call.operationType}`;
    let series = byKey.get(key);
    if (series === undefined) {
      series = { label: isTool ? call.toolName : call.operationType, isTool, calls: [] };
      byKey.set(key, series);
    }
    series.calls.push(call);
  }
  const all = [...byKey.values()];
  const tools = all
    .filter((s) => s.isTool)
    .sort((a, b) => (toolCounts[b.label]?.count ?? b.calls.length) - (toolCounts[a.label]?.count ?? a.calls.length) || (a.label < b.label ? -1 : 1));
  const others = all.filter((s) => !s.isTool).sort((a, b) => (a.label < b.label ? -1 : 1));
  const { llm } = colors();
  tools.forEach((series, i) => (series.color = toolColor(report, series.label, i)));
  others.forEach((series) => (series.color = llm));
  return [...tools, ...others];
}

/**
 * The colour of a tool on this session's page: its place among the session's tools by calls, so
 * the charts, the legend and the tables agree.
 */
export function toolColor(report, toolName, fallbackIndex = 0) {
  const tools = Object.entries(report.operations[TOOL_OPERATION]?.tools ?? {})
    .sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : 1))
    .map(([name]) => name);
  const index = tools.indexOf(toolName);
  return paletteColor(index === -1 ? tools.length + fallbackIndex : index);
}
