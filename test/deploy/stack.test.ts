/**
 * The Docker Compose stack (docker-compose.yml, otel-collector.yaml, prometheus.yml) without Docker:
 * each file passes its own tool's check, and the three agree with each other on service names,
 * ports and mounted files, so that `docker compose up` gives a stack whose parts reach each other.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findProgram, programOrSkip } from '../helpers/real-component.js';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/schema.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const COMPOSE_FILE = 'docker-compose.yml';
const COLLECTOR_FILE = 'otel-collector.yaml';
const PROMETHEUS_FILE = 'prometheus.yml';
const PROMETHEUS_RULES_FILE = 'prometheus-rules.yml';

/** Where Jaeger v2 ingests OTLP, by the protocol of the Collector exporter that sends to it. */
const JAEGER_OTLP_PORTS: Record<string, number> = { otlp: 4317, otlp_grpc: 4317, otlphttp: 4318, otlp_http: 4318 };
const JAEGER_IMAGE = 'jaegertracing/jaeger';
/**
 * An exact release, optionally with a digest: `name:1.2.3` or `name:v1.2.3`; PostgreSQL numbers
 * its releases major.minor (`postgres:15.18-bookworm`).
 */
const PINNED_IMAGE = /^(?:[^@\s]+:v?\d+\.\d+\.\d+|postgres:\d+\.\d+-[a-z]+)(@sha256:[0-9a-f]{64})?$/;

type Yaml = Record<string, unknown>;

function asRecord(value: unknown, where: string): Yaml {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected a mapping`);
  return value as Yaml;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

async function loadYaml(file: string): Promise<Yaml> {
  return asRecord(parse(await readFile(join(root, file), 'utf8')), file);
}

/** `jaeger:4317`, `0.0.0.0:8889` or `http://jaeger:4318`, as host and port. */
function hostPort(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint.includes('://') ? endpoint : `tcp://${endpoint}`);
  const port = url.port === '' ? ({ 'http:': 80, 'https:': 443 } as Record<string, number>)[url.protocol] : Number(url.port);
  if (port === undefined) throw new Error(`no port in endpoint ${endpoint}`);
  return { host: url.hostname, port };
}

/** A component ID's type: `otlp/jaeger` is an `otlp`. */
const componentType = (id: string): string => id.split('/')[0] as string;

// ---- docker-compose.yml ----

const compose = await loadYaml(COMPOSE_FILE);
const services = asRecord(compose.services, `${COMPOSE_FILE} services`);
const service = (name: string): Yaml => asRecord(services[name], `${COMPOSE_FILE} service ${name}`);

interface Published {
  readonly hostIp: string;
  readonly containerPort: number;
}

/** Short syntax (`127.0.0.1:4318:4318`, `4318:4318/tcp`) or long syntax (`{ target, published, host_ip }`). */
function publishedPorts(name: string): Published[] {
  return asList(service(name).ports).map((entry) => {
    if (typeof entry === 'object' && entry !== null) {
      const port = entry as Yaml;
      return { hostIp: String(port.host_ip ?? '0.0.0.0'), containerPort: Number(port.target) };
    }
    const parts = String(entry).replace(/\/(tcp|udp)$/, '').split(':');
    return { hostIp: parts.length === 3 ? (parts[0] as string) : '0.0.0.0', containerPort: Number(parts.at(-1)) };
  });
}

interface Mount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

/** Bind mounts in short syntax; named volumes (no `.` or `/` in front) are left out. */
function bindMounts(name: string): Mount[] {
  return asList(service(name).volumes)
    .map((entry) => String(entry).split(':'))
    .filter(([source]) => source?.startsWith('.') === true || source?.startsWith('/') === true)
    .map(([source, target, mode]) => ({ source: source as string, target: target ?? '', readOnly: mode?.split(',').includes('ro') === true }));
}

/** The compose service that runs the Collector: the one the Collector config is mounted into. */
const collectorService = Object.keys(services).find((name) => bindMounts(name).some((m) => m.source === `./${COLLECTOR_FILE}`));
const jaegerService = Object.keys(services).find((name) => String(service(name).image).split(':')[0] === JAEGER_IMAGE);

// ---- otel-collector.yaml ----

const collector = await loadYaml(COLLECTOR_FILE);
const COMPONENT_KINDS = ['receivers', 'processors', 'exporters', 'connectors'] as const;
const PIPELINE_KINDS = ['receivers', 'processors', 'exporters'] as const;
const serviceSection = asRecord(collector.service, `${COLLECTOR_FILE} service`);
const pipelines = asRecord(serviceSection.pipelines, `${COLLECTOR_FILE} service.pipelines`);
const defined = (kind: string): Yaml => (collector[kind] === undefined || collector[kind] === null ? {} : asRecord(collector[kind], `${COLLECTOR_FILE} ${kind}`));
const pipelineIds = (pipeline: string, kind: string): string[] => asList(asRecord(pipelines[pipeline], `pipeline ${pipeline}`)[kind]).map(String);
const exporterEndpoint = (id: string): string | undefined => {
  const endpoint = asRecord(defined('exporters')[id] ?? {}, `exporter ${id}`).endpoint;
  return typeof endpoint === 'string' ? endpoint : undefined;
};

// ---- prometheus.yml ----

const prometheus = await loadYaml(PROMETHEUS_FILE);
const scrapeTargets = asList(prometheus.scrape_configs).flatMap((job) => {
  const { job_name: jobName, static_configs: staticConfigs } = asRecord(job, `${PROMETHEUS_FILE} scrape_configs`);
  return asList(staticConfigs).flatMap((group) =>
    asList(asRecord(group, `${PROMETHEUS_FILE} static_configs`).targets).map((target) => ({ job: String(jobName), ...hostPort(String(target)) })),
  );
});

// ---- the tools' own checks ----

/** What docker-compose.yml requires from the environment (test/deploy/report-servers.test.ts checks it does). */
export const STACK_SECRETS = { TOOLPERF_API_TOKEN: 'test-token', TOOLPERF_PG_PASSWORD: 'test-password' } as const;

function run(command: string, args: readonly string[]): Promise<{ exit: number | string; output: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, timeout: 20_000, env: { ...process.env, ...STACK_SECRETS } }, (error, stdout, stderr) => {
      resolve({ exit: error === null ? 0 : (error.code ?? error.signal ?? 'failed'), output: `${stdout}${stderr}` });
    });
  });
}

const TOOL_CHECKS = [
  { command: 'promtool', args: ['check', 'config', PROMETHEUS_FILE], debianPackage: 'prometheus' },
  { command: 'promtool', args: ['check', 'rules', PROMETHEUS_RULES_FILE], debianPackage: 'prometheus' },
  { command: 'docker-compose', args: ['-f', COMPOSE_FILE, 'config', '-q'], debianPackage: 'docker-compose' },
] as const;

describe('the stack files pass their own tools', () => {
  const cases = TOOL_CHECKS.map((check) => [`${check.command} ${check.args.join(' ')}`, check] as const);
  it.for(cases)('%s exits 0', async ([, { command, args, debianPackage }], ctx) => {
    const path = programOrSkip(findProgram(command, debianPackage), (note) => ctx.skip(note));
    const { exit, output } = await run(path, args);
    expect(exit, `${command} ${args.join(' ')} said:\n${output}`).toBe(0);
  });
});

describe('otel-collector.yaml', () => {
  it('defines every component a pipeline uses', () => {
    const undefinedIds: string[] = [];
    for (const pipeline of Object.keys(pipelines)) {
      for (const kind of PIPELINE_KINDS) {
        for (const id of pipelineIds(pipeline, kind)) {
          // A connector is the exporter of one pipeline and the receiver of another.
          if (!(id in defined(kind)) && !(kind !== 'processors' && id in defined('connectors'))) undefinedIds.push(`${pipeline}: ${kind} ${id}`);
        }
      }
    }
    expect(undefinedIds).toEqual([]);
  });

  it('uses every component it defines', () => {
    const used = new Set(Object.keys(pipelines).flatMap((pipeline) => PIPELINE_KINDS.flatMap((kind) => pipelineIds(pipeline, kind))));
    const unused = COMPONENT_KINDS.flatMap((kind) => Object.keys(defined(kind)).filter((id) => !used.has(id)).map((id) => `${kind} ${id}`));
    const enabledExtensions = asList(serviceSection.extensions).map(String);
    const extensions = Object.keys(defined('extensions'));
    unused.push(...extensions.filter((id) => !enabledExtensions.includes(id)).map((id) => `extensions ${id}`));
    unused.push(...enabledExtensions.filter((id) => !extensions.includes(id)).map((id) => `service.extensions ${id} (not defined)`));
    expect(unused).toEqual([]);
  });

  it('sends traces to a compose service and serves metrics for Prometheus', () => {
    const traceHosts = pipelineIds('traces', 'exporters').flatMap((id) => {
      const endpoint = exporterEndpoint(id);
      return endpoint === undefined ? [] : [hostPort(endpoint).host];
    });
    expect(traceHosts.filter((host) => host in services), `trace exporter hosts ${traceHosts.join(', ')}`).not.toEqual([]);
    expect(pipelineIds('metrics', 'exporters').map(componentType)).toContain('prometheus');
  });

  it('sends traces to Jaeger on a port where Jaeger ingests OTLP', () => {
    expect(jaegerService, `a service running ${JAEGER_IMAGE}`).toBeDefined();
    const toJaeger = pipelineIds('traces', 'exporters').filter((id) => {
      const endpoint = exporterEndpoint(id);
      return endpoint !== undefined && hostPort(endpoint).host === jaegerService;
    });
    expect(toJaeger, `a traces exporter with endpoint ${jaegerService}:<port>`).not.toEqual([]);
    const exposed = asList(service(jaegerService as string).expose).map(Number);
    for (const id of toJaeger) {
      const expected = JAEGER_OTLP_PORTS[componentType(id)];
      expect(expected, `exporter ${id} speaks OTLP`).toBeDefined();
      expect(hostPort(exporterEndpoint(id) as string).port, `exporter ${id} port`).toBe(expected);
      expect(exposed, `${jaegerService} exposes ${expected}`).toContain(expected);
    }
  });
});

describe('docker-compose.yml', () => {
  it('runs the Collector with otel-collector.yaml as its config', () => {
    expect(collectorService, `a service mounting ./${COLLECTOR_FILE}`).toBeDefined();
  });

  it('publishes the ports of the OTLP receivers', () => {
    const receivers = Object.entries(defined('receivers'))
      .filter(([id]) => componentType(id) === 'otlp')
      .flatMap(([id, config]) =>
        Object.values(asRecord(asRecord(config, `receiver ${id}`).protocols, `receiver ${id} protocols`)).map((protocol) =>
          hostPort(String(asRecord(protocol, `receiver ${id} protocol`).endpoint)),
        ),
      );
    expect(receivers.map((r) => r.port).sort((a, b) => a - b)).toEqual([4317, 4318]);
    // The Collector binds localhost by default, which a published port does not reach.
    expect(receivers.map((r) => r.host)).toEqual(receivers.map(() => '0.0.0.0'));
    const published = publishedPorts(collectorService as string).map((p) => p.containerPort);
    expect(published).toEqual(expect.arrayContaining(receivers.map((r) => r.port)));
  });

  it('publishes every port on the host loopback only', () => {
    const open = Object.keys(services).flatMap((name) =>
      publishedPorts(name)
        .filter((p) => p.hostIp !== '127.0.0.1')
        .map((p) => `${name}: ${p.hostIp}:${p.containerPort}`),
    );
    expect(open, 'none of these services has authentication').toEqual([]);
  });

  it('pins every image to an exact version', () => {
    const unpinned = Object.keys(services)
      .map((name) => `${name}: ${String(service(name).image)}`)
      .filter((line) => !PINNED_IMAGE.test(line.slice(line.indexOf(': ') + 2)));
    expect(unpinned).toEqual([]);
  });

  it('mounts existing top-level files, read-only, where the commands read them', async () => {
    const problems: string[] = [];
    for (const name of Object.keys(services)) {
      const mounts = bindMounts(name);
      for (const { source, target, readOnly } of mounts) {
        if (!/^\.\/[^/]+$/.test(source)) problems.push(`${name}: ${source} is not a file at the top level`);
        else if (!(await stat(join(root, source)).then((s) => s.isFile(), () => false))) problems.push(`${name}: ${source} does not exist`);
        if (!readOnly) problems.push(`${name}: ${source} is not mounted read-only`);
        if (target === '') problems.push(`${name}: ${source} has no target`);
      }
      const { command } = service(name);
      for (const arg of typeof command === 'string' ? command.split(/\s+/) : asList(command).map(String)) {
        const configPath = /^--config(?:\.file)?=(.+)$/.exec(arg)?.[1];
        if (configPath !== undefined && !mounts.some((m) => m.target === configPath)) problems.push(`${name}: ${configPath} is not mounted`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('prometheus.yml', () => {
  it("scrapes the Collector's prometheus exporter on its port", () => {
    const exporterId = pipelineIds('metrics', 'exporters').find((id) => componentType(id) === 'prometheus') ?? 'prometheus';
    const exporter = hostPort(exporterEndpoint(exporterId) ?? '');
    // On localhost, the exporter would be out of the prometheus container's reach.
    expect(exporter.host).toBe('0.0.0.0');
    const collectorTargets = scrapeTargets.filter((t) => t.host === collectorService);
    expect(collectorTargets, `a target on ${collectorService}`).not.toEqual([]);
    expect(collectorTargets.map((t) => t.port)).toEqual(collectorTargets.map(() => exporter.port));
  });

  it('scrapes only hosts the prometheus service can resolve', () => {
    const extraHosts = asList(service('prometheus').extra_hosts).map((entry) => String(entry).split(':')[0]);
    const unresolvable = scrapeTargets.filter((t) => !(t.host in services) && !extraHosts.includes(t.host)).map((t) => `${t.job}: ${t.host}`);
    expect(unresolvable).toEqual([]);
  });

  it('loads the rules file, mounted beside it in the prometheus service', () => {
    const ruleFiles = asList(prometheus.rule_files).map(String);
    expect(ruleFiles).toEqual([PROMETHEUS_RULES_FILE]);
    const mounts = bindMounts('prometheus');
    const configDir = mounts.find((m) => m.source === `./${PROMETHEUS_FILE}`)?.target.replace(/\/[^/]+$/, '');
    expect(configDir, `./${PROMETHEUS_FILE} mounted`).toBeDefined();
    // A relative rule_files entry is read relative to the config file's directory.
    expect(mounts.filter((m) => m.source === `./${PROMETHEUS_RULES_FILE}`).map((m) => m.target)).toEqual([`${configDir}/${PROMETHEUS_RULES_FILE}`]);
  });

  it("scrapes the package's own endpoint on its default port", () => {
    const { port } = parseConfig({}, 'defaults').prometheus;
    expect(scrapeTargets.filter((t) => t.host === 'host.docker.internal').map((t) => t.port)).toEqual([port]);
  });
});
