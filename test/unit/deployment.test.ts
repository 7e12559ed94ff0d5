import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

// No Docker engine runs the images in CI: these checks keep the deployment files in step with the code.
const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const dockerfile = read('Dockerfile');
const composeFiles = ['docker-compose.yml', 'docker-compose.cluster.yml'].map((file) => ({ file, text: read(file) }));
const defaults = loadConfig({});

/** `${NAME:-default}` as compose expands it when NAME is unset. */
const expandDefaults = (value: string) => value.replace(/\$\{\w+:-([^}]*)\}/g, '$1');

describe('deployment files', () => {
  it('expose, probe and publish the port the service listens on', () => {
    const exposed = Number(/^EXPOSE (\d+)$/m.exec(dockerfile)?.[1]);
    expect(exposed).toBe(defaults.port);
    expect(dockerfile).toMatch(new RegExp(`HEALTHCHECK[\\s\\S]*http://localhost:${exposed}/healthz`));
    for (const { text } of composeFiles) expect(text).toMatch(new RegExp(`"[\\d-]+:${exposed}"`));
  });

  it('listen on every interface inside the container', () => {
    const host = /^\s+HOST=(\S+)/m.exec(dockerfile)?.[1];
    expect(host).toBe('0.0.0.0');
    expect(defaults.host).not.toBe(host); // the default only serves the machine itself
  });

  it('start what `npm start` starts', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    const cmd = (JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[]).join(' ');
    expect(cmd).toBe(start);
  });

  it('hand the PostgreSQL replicas a DATABASE_URL naming the PostgreSQL service, its user and database', () => {
    const text = composeFiles[0]!.text;
    const url = new URL(expandDefaults(/DATABASE_URL: (\S+)/.exec(text)![1]!));
    expect(loadConfig({ DATABASE_URL: url.href }).databaseUrl).toBe(url.href);
    expect(text).toMatch(new RegExp(`^  ${url.hostname}:\n    profiles: \\[postgres\\]\n    image: postgres:15$`, 'm'));
    expect(url.port).toBe('5432');
    expect(text).toContain(`POSTGRES_USER: ${url.username}`);
    expect(text).toContain(`POSTGRES_DB: ${url.pathname.slice(1)}`);
    expect(expandDefaults(text)).toContain(`POSTGRES_PASSWORD: ${url.password}`);
  });

  it('hand the service a connection string, under the name the configuration reads, to the EventStoreDB nodes', () => {
    for (const { file, text } of composeFiles) {
      const value = /EVENTSTORE_CONNECTION_STRING: (\S+)/.exec(text)?.[1];
      expect(value, file).toBeDefined();
      const connectionString = expandDefaults(value!);
      expect(loadConfig({ EVENTSTORE_CONNECTION_STRING: connectionString }).eventStoreConnectionString).toBe(
        connectionString,
      );

      const [, hostList, query] = /^esdb:\/\/(?:[^@]*@)?([^/?]+)\/?\??(.*)$/.exec(connectionString)!;
      const hosts = hostList!.split(',');
      const params = new URLSearchParams(query);
      const nodePort = /EVENTSTORE_NODE_PORT: "(\d+)"/.exec(text)?.[1];
      for (const host of hosts) {
        const [name, port] = host.split(':');
        expect(text, `${file}: ${name} is a service`).toMatch(new RegExp(`^  ${name}:$`, 'm'));
        expect(port, file).toBe(nodePort);
      }
      const caFile = params.get('tlsCAFile');
      if (params.get('tls') === 'true') {
        expect(caFile, file).toBeTruthy();
        const mount = /- [\w-]+:(\/\S+):ro\n\s+networks: \[cluster\]/.exec(text)?.[1];
        expect(caFile!.startsWith(`${mount}/`), `${file}: ${caFile} is inside the service's certificate mount`).toBe(
          true,
        );
      }
    }
  });

  it('keep the CA key out of every container but the one that signs, and wait for a leader before serving', () => {
    const cluster = composeFiles[1]!.text;
    const services = cluster.split(/\n(?= {2}[\w-]+:\n)/);
    const mounting = (volume: string) =>
      services
        .filter((block) => new RegExp(`- ${volume}:`).test(block))
        .map((block) => /^ {2}([\w-]+):/m.exec(block)?.[1]);
    expect(mounting('ca')).toEqual(['certificates']);
    for (const n of [1, 2, 3]) expect(mounting(`node${n}-certs`)).toEqual(['certificates', `node${n}`]);
    expect(cluster).toMatch(/create-node -days (\d+)/);
    expect(Number(/create-node -days (\d+)/.exec(cluster)![1])).toBeGreaterThan(365);
    const service = services.find((block) => block.startsWith('  bounce-patterns:'))!;
    expect(service).toMatch(/leader:\n\s+condition: service_completed_successfully/);
    expect(service).toContain('restart: unless-stopped');
    expect(cluster).toMatch(/x-eventstore-node:[\s\S]*?restart: unless-stopped/);
  });
});
