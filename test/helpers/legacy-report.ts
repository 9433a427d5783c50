import type { StoredSessionReport } from '../../src/document/report.js';
import { decodeSketch } from '../../src/document/stored-sketch.js';

/**
 * `report` as toolperf wrote it at schemaVersion 1: every sketch as the library's dense protobuf,
 * base64 (what a data directory of an earlier version holds).
 */
export function legacyReport(report: StoredSessionReport): unknown {
  const protobuf = (state: { sketch: StoredSessionReport['aggregates'][string]['all']['sketch'] }) =>
    Buffer.from(decodeSketch(state.sketch).toProto()).toString('base64');
  const aggregates = Object.fromEntries(
    Object.entries(report.aggregates).map(([type, op]) => [
      type,
      {
        all: { ...op.all, sketch: protobuf(op.all) },
        tools: Object.fromEntries(Object.entries(op.tools).map(([name, state]) => [name, { ...state, sketch: protobuf(state) }])),
      },
    ]),
  );
  return { ...report, schemaVersion: 1, aggregates };
}
