import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeOtlpRecords } from '../../../../src/server/otlp-ingest/decode-records.js';
import { EventLoopTurns } from '../../../../src/server/otlp-ingest/event-loop-turns.js';
import { ExportLogsServiceRequest } from '../../../../src/server/otlp-ingest/otlp-proto.js';
import { startReportServer } from '../../../../src/server/start.js';
import { memoryReports } from '../fixtures.js';
import { plainRecord } from '../../../helpers/ingest-attributes.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer() {
  const { reports, logger } = memoryReports();
  const server = await startReportServer({ reports, port: 0, logger, dashboard: false });
  cleanups.push(() => reports.shutdown(), () => server.close());
  return { server, reports, logger };
}

const ingestStats = async (url: string) => (await (await fetch(`${url}/api/v1/ingest`)).json()) as { log: { unknown: number }; metric: { received: number } };

const T_NS = 1_767_312_000_123_456_789n; // 2026-01-02T00:00:00.123456789Z

describe('OTLP log records', () => {
  it.each([
    ['JSON', (url: string) => new JsonLogExporter({ url })],
    ['protobuf', (url: string) => new ProtoLogExporter({ url })],
    ['JSON, gzip', (url: string) => new JsonLogExporter({ url, compression: CompressionAlgorithm.GZIP })],
    ['protobuf, gzip', (url: string) => new ProtoLogExporter({ url, compression: CompressionAlgorithm.GZIP })],
  ])('%s: the real exporter succeeds, and records no source knows are counted, never refused', async (_label, exporterFor) => {
    const { server } = await startServer();
    const exporter: LogRecordExporter = exporterFor(`${server.url}/v1/logs`);
    const results: number[] = [];
    const recording: LogRecordExporter = {
      export: (records, done) => exporter.export(records, (result) => {
        results.push(result.code);
        done(result);
      }),
      forceFlush: () => exporter.forceFlush(),
      shutdown: () => exporter.shutdown(),
    };
    const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: recording })] });
    const logger = provider.getLogger('some-agent');
    for (let i = 0; i < 5; i++) logger.emit({ body: 'user_prompt', severityNumber: SeverityNumber.INFO, attributes: { 'session.id': 'ses_log', n: i } });
    await provider.forceFlush();
    await provider.shutdown();
    expect(results).toEqual([0]);
    expect((await ingestStats(server.url)).log.unknown).toBe(5);
  });

  it('decodes what sources read: body, event name, attributes, ids, and the observed time when the record has none', async () => {
    const request = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent-x' } }] },
          scopeLogs: [
            {
              scope: { name: 'agent-x.logs', version: '1.2.3' },
              logRecords: [
                {
                  timeUnixNano: '0',
                  observedTimeUnixNano: String(T_NS),
                  body: { stringValue: 'agent.tool_result' },
                  eventName: 'agent.tool_result',
                  attributes: [
                    { key: 'duration_ms', value: { stringValue: '12' } },
                    { key: 'success', value: { boolValue: false } },
                  ],
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '0000000000000000',
                },
              ],
            },
          ],
        },
      ],
    };
    const json = await decodeOtlpRecords(Buffer.from(JSON.stringify(request)), 'json', 'log', 100, new EventLoopTurns());
    const protoBody = ExportLogsServiceRequest.encode(
      ExportLogsServiceRequest.fromObject({
        resourceLogs: [
          {
            ...request.resourceLogs[0],
            scopeLogs: [{ ...request.resourceLogs[0]!.scopeLogs[0], logRecords: [{ ...request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0], traceId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'), spanId: Buffer.alloc(8) }] }],
          },
        ],
      }),
    ).finish();
    const proto = await decodeOtlpRecords(protoBody, 'protobuf', 'log', 100, new EventLoopTurns());
    for (const decoded of [json, proto]) {
      expect(decoded.records.map(plainRecord)).toEqual([
        {
          signal: 'log',
          name: 'agent.tool_result',
          eventName: 'agent.tool_result',
          attributes: { duration_ms: '12', success: false },
          resource: { 'service.name': 'agent-x' },
          scopeName: 'agent-x.logs',
          scopeVersion: '1.2.3',
          startTimeMs: 1_767_312_000_123.456,
          endTimeMs: 1_767_312_000_123.456,
          durationMs: 0,
          statusCode: 0,
          statusMessage: undefined,
          traceId: '0102030405060708090a0b0c0d0e0f10',
          spanId: undefined,
          parentSpanId: undefined,
        },
      ]);
    }
  });

  it('answers 400 with a google.rpc.Status to a body that is not a log export', async () => {
    const { server } = await startServer();
    const response = await fetch(`${server.url}/v1/logs`, { method: 'POST', body: '{"resourceLogs": {}}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 3, message: expect.stringContaining('"resourceLogs" must be an array') });
  });
});

describe('OTLP metrics', () => {
  it.each([
    ['JSON', (url: string) => new JsonMetricExporter({ url })],
    ['protobuf', (url: string) => new ProtoMetricExporter({ url })],
  ])('%s: the real exporter succeeds, and the metrics are counted', async (_label, exporterFor) => {
    const { server } = await startServer();
    const exporter: PushMetricExporter = exporterFor(`${server.url}/v1/metrics`);
    const results: number[] = [];
    const recording: PushMetricExporter = {
      export: (metrics, done) => exporter.export(metrics, (result) => {
        results.push(result.code);
        done(result);
      }),
      forceFlush: () => exporter.forceFlush(),
      shutdown: () => exporter.shutdown(),
    };
    const reader = new PeriodicExportingMetricReader({ exporter: recording, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'agent-x' }), readers: [reader] });
    const meter = provider.getMeter('agent-x');
    meter.createCounter('agent.token.usage').add(10, { 'session.id': 'ses_m' });
    meter.createHistogram('agent.tool.duration').record(12, { tool: 'read' });
    await provider.forceFlush();
    await provider.shutdown();
    expect(results.length).toBeGreaterThan(0);
    expect(new Set(results)).toEqual(new Set([0]));
    expect((await ingestStats(server.url)).metric.received).toBeGreaterThanOrEqual(2);
  });
});
