import { describe, expect, it } from 'vitest';
import { ToolTrendIndex } from '../../../src/reports/tool-trends.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import { storedReport, T0 } from '../server/fixtures.js';
import { recordingLogger } from '../../helpers/tracking.js';

describe('ToolTrendIndex', () => {
  it('leaves out a tool whose stored sketch does not merge, answers for the rest, and says so once', async () => {
    const store = new InMemoryReportStore();
    store.putSync(storedReport('ses_a', T0, [{ tool: 'read', ms: 3 }, { tool: 'grep', ms: 5 }]));
    const broken = storedReport('ses_b', T0 + 1000, [{ tool: 'read', ms: 7 }]);
    const op = broken.aggregates['tool-execution']!;
    // A store that hands out what it was given (the file store checks every sketch when it reads).
    store.putSync({ ...broken, aggregates: { 'tool-execution': { ...op, tools: { read: { ...op.tools.read!, sketch: { keys: [1], counts: [-1] } } } } } });
    const logger = recordingLogger();
    const index = new ToolTrendIndex(store, logger);
    const trends = await index.trends(10);
    expect(trends.map((t) => [t.toolName, t.calls])).toEqual([['grep', 1], ['read', 1]]);
    await index.trends(10);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/tool trends: leaving out a tool of session ses_b/);
  });
});
