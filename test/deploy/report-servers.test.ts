/**
 * The report servers of the Docker Compose stack without Docker: PostgreSQL, two `toolperf serve`
 * instances on it, nginx in front of them (nginx.conf) and the Collector sending to nginx, checked
 * to agree with each other on names, ports, credentials and health, and the image built from
 * ./Dockerfile to be this package's version.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findProgram, programOrSkip } from '../helpers/real-component.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
type Yaml = Record<string, unknown>;
const record = (value: unknown): Yaml => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Yaml) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (file: string) => readFile(join(root, file), 'utf8');

const compose = record(parse(await text('docker-compose.yml')));
const services = record(compose.services);
const service = (name: string): Yaml => record(services[name]);
const collector = record(parse(await text('otel-collector.yaml')));
const nginx = await text('nginx.conf');
const { version } = JSON.parse(await text('package.json')) as { version: string };

/** The major version of PostgreSQL the tests run (test/helpers/postgres-server.ts): Debian 12's. */
const TESTED_POSTGRES_MAJOR = 15;
const SERVE_SERVICES = Object.keys(services).filter((name) => list(service(name).command).map(String)[0] === 'serve');
const postgresService = Object.keys(services).find((name) => String(service(name).image).startsWith('postgres:')) as string;
const balancer = Object.keys(services).find((name) => list(service(name).volumes).some((v) => String(v).startsWith('./nginx.conf:'))) as string;

function option(command: readonly string[], name: string): string | undefined {
  const i = command.indexOf(name);
  return i < 0 ? undefined : command[i + 1];
}

function composeConfig(env: NodeJS.ProcessEnv, path: string): Promise<{ exit: number; output: string }> {
  return new Promise((resolve) => {
    execFile(path, ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: root, timeout: 20_000, env }, (error, stdout, stderr) => {
      resolve({ exit: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, output: `${stdout}${stderr}` });
    });
  });
}

describe('docker-compose.yml: the report servers', () => {
  it('runs PostgreSQL 15 with a healthcheck and its data on a named volume', () => {
    expect(postgresService, 'a service running the postgres image').toBeDefined();
    const pg = service(postgresService);
    expect(String(pg.image)).toMatch(new RegExp(`^postgres:${TESTED_POSTGRES_MAJOR}\\.\\d+-bookworm$`));
    expect(list(record(pg.healthcheck).test).join(' ')).toContain('pg_isready');
    const [volume, target] = String(list(pg.volumes)[0]).split(':');
    expect(target).toBe('/var/lib/postgresql/data');
    expect(Object.keys(record(compose.volumes))).toContain(volume);
  });

  it('runs two serve instances of the image built from ./Dockerfile, this package version, on that database', () => {
    expect(SERVE_SERVICES).toHaveLength(2);
    const pg = record(service(postgresService).environment);
    for (const name of SERVE_SERVICES) {
      const s = service(name);
      expect([s.image, s.build], name).toEqual([`toolperf:${version}`, '.']);
      const command = list(s.command).map(String);
      expect(option(command, '--host'), name).toBe('0.0.0.0');
      const env = record(s.environment);
      const store = new URL(String(env.TOOLPERF_STORE));
      expect([store.protocol, store.hostname, store.port, store.username, store.pathname]).toEqual(['postgres:', postgresService, '5432', pg.POSTGRES_USER, `/${String(pg.POSTGRES_DB)}`]);
      // The password from the environment, never in a URL or a command line.
      expect(store.password).toBe('');
      expect(env.PGPASSWORD).toMatch(/^\$\{TOOLPERF_PG_PASSWORD[:?}]/);
      expect(pg.POSTGRES_PASSWORD).toMatch(/^\$\{TOOLPERF_PG_PASSWORD[:?}]/);
      expect(env.TOOLPERF_API_TOKEN).toMatch(/^\$\{TOOLPERF_API_TOKEN[:?}]/);
      expect(record(record(s.depends_on)[postgresService]).condition).toBe('service_healthy');
      expect(list(record(s.healthcheck).test).join(' ')).toContain(`http://127.0.0.1:${option(command, '--port')}/healthz`);
      expect(list(s.expose).map(String)).toEqual([option(command, '--port')]);
    }
  });

  it('puts nginx in front of both, on one published loopback port', () => {
    expect(balancer, 'a service mounting ./nginx.conf').toBeDefined();
    expect(String(service(balancer).image)).toMatch(/^nginx:\d+\.\d+\.\d+$/);
    const upstream = [...nginx.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map(([, host, port]) => `${host}:${port}`);
    expect(upstream.sort()).toEqual(SERVE_SERVICES.map((name) => `${name}:${option(list(service(name).command).map(String), '--port')}`).sort());
    const listen = /^\s*listen\s+(\d+);/m.exec(nginx)?.[1];
    expect(list(service(balancer).ports).map(String)).toEqual([`127.0.0.1:${listen}:${listen}`]);
    expect(/proxy_pass\s+http:\/\/(\w+);/.exec(nginx)?.[1]).toBe(/upstream\s+(\w+)\s*\{/.exec(nginx)?.[1]);
    // As large as what serve takes: a larger body is serve's 413, not nginx's.
    expect(/client_max_body_size\s+(\d+)m;/.exec(nginx)?.[1]).toBe('4');
  });

  it('has the Collector send traces and logs to nginx with the bearer token', () => {
    const exporters = record(collector.exporters);
    const listen = /^\s*listen\s+(\d+);/m.exec(nginx)?.[1];
    const toServers = Object.keys(exporters).filter((id) => String(record(exporters[id]).endpoint) === `http://${balancer}:${listen}`);
    expect(toServers).toHaveLength(1);
    const [id] = toServers as [string];
    expect(id.split('/')[0]).toBe('otlphttp');
    expect(record(record(exporters[id]).headers).Authorization).toBe('Bearer ${env:TOOLPERF_API_TOKEN}');
    const pipelines = record(record(collector.service).pipelines);
    for (const signal of ['traces', 'logs']) expect(list(record(pipelines[signal]).exporters), signal).toContain(id);
    const collectorService = Object.keys(services).find((name) => list(service(name).volumes).some((v) => String(v).startsWith('./otel-collector.yaml:'))) as string;
    expect(record(service(collectorService).environment).TOOLPERF_API_TOKEN).toMatch(/^\$\{TOOLPERF_API_TOKEN[:?}]/);
  });

  it('builds the image from the package as npm packs it, on Node 20, without the local node_modules', async () => {
    const dockerfile = await text('Dockerfile');
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map(([, image]) => image);
    expect(froms.length).toBeGreaterThan(0);
    for (const image of froms) expect(image).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(dockerfile).toContain('npm pack');
    expect(/^ENTRYPOINT \["toolperf"\]$/m.test(dockerfile)).toBe(true);
    const ignored = (await text('.dockerignore')).split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });

  it('refuses to start without the token and the database password, naming each', async (ctx) => {
    const path = programOrSkip(findProgram('docker-compose', 'docker-compose'), (note) => ctx.skip(note));
    const base: NodeJS.ProcessEnv = { PATH: process.env.PATH };
    const noToken = await composeConfig({ ...base, TOOLPERF_PG_PASSWORD: 'p' }, path);
    expect(noToken.exit).not.toBe(0);
    expect(noToken.output).toContain('set TOOLPERF_API_TOKEN');
    const noPassword = await composeConfig({ ...base, TOOLPERF_API_TOKEN: 't' }, path);
    expect(noPassword.exit).not.toBe(0);
    expect(noPassword.output).toContain('set TOOLPERF_PG_PASSWORD');
    expect((await composeConfig({ ...base, TOOLPERF_API_TOKEN: 't', TOOLPERF_PG_PASSWORD: 'p' }, path)).exit).toBe(0);
  });
});
