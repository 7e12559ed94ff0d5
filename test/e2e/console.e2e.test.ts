import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { type ServiceProcess, scratchDir, startServiceProcess } from '../support/serviceProcess.js';

// The console is built by `npm run build` (web/dist) and served by the service process itself.
describe('the service serves the operator console at / and GraphiQL at /graphql', () => {
  const scratch = scratchDir();
  let service: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    base = service.url.replace(/graphql$/, '');
  });
  afterAll(async () => {
    await service?.stop();
    scratch.cleanup();
  });

  it('serves the page and its hashed assets from the service, nothing from elsewhere', async () => {
    const page = await fetch(base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    const html = await page.text();
    expect(html).toMatch(/<div id="root">/);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset).toMatch(/^\/assets\//);
      const response = await fetch(new URL(asset, base));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toMatch(/immutable/);
    }
  });

  it('keeps GraphiQL at /graphql and refuses paths it does not have', async () => {
    const explorer = await fetch(`${base}graphql`, { headers: { accept: 'text/html' } });
    expect(await explorer.text()).toMatch(/GraphQL explorer/);
    expect((await fetch(`${base}assets/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}assets/nothing.js`)).status).toBe(404);
  });
});
