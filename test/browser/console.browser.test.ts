import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, serviceEnv } from '../support/auth.js';
import { chromiumInstalled, launchChromium, screenshot } from '../support/browser.js';
import { gqlData } from '../support/graphqlClient.js';
import { type ServiceProcess, scratchDir, startServiceProcess } from '../support/serviceProcess.js';

if (!chromiumInstalled) {
  console.warn('console browser tests SKIPPED: /usr/bin/chromium is not installed (.ci/run installs Debian chromium)');
}

// The operator console as a user meets it: the real service process (`node dist/src/main.js`, which
// serves the console built by `npm run build`) and Debian's Chromium driven by Playwright.
describe.skipIf(!chromiumInstalled)('operator console in Chromium', () => {
  const scratch = scratchDir();
  let service: ServiceProcess;
  let base: string;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  let viewerToken: string;
  let beforeCustom: Date;

  beforeAll(async () => {
    service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    base = service.url.replace(/graphql$/, '');
    const created = await gqlData(
      service.url,
      'mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { secret } }',
      { input: { name: 'Vera Viewer', role: 'VIEWER' } },
    );
    viewerToken = created.createApiToken.secret;
    browser = await launchChromium();
    admin = await newContext({ width: 1280, height: 900 }, 'UTC');
    page = await admin.newPage();
    // A whole second (the moment field's precision) after the defaults were installed.
    beforeCustom = new Date(Math.ceil((Date.now() + 1) / 1000) * 1000);
  });

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    scratch.cleanup();
  });

  /** A browser context whose waits fail within 10 s, well inside the test's own timeout. */
  async function newContext(viewport: { width: number; height: number }, timezoneId?: string): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, timezoneId });
    context.setDefaultTimeout(10_000);
    return context;
  }

  async function signIn(target: Page, token: string): Promise<void> {
    await target.goto(base);
    await target.getByLabel('API token').fill(token);
    await target.getByLabel('API token').press('Enter');
    await target.getByRole('button', { name: 'Sign out' }).waitFor();
  }

  const rows = (target: Page) => target.locator('table.patterns tbody tr');

  /** Searches and waits for the table to show only rows with that text (or no row). */
  async function search(target: Page, text: string): Promise<void> {
    await target.getByLabel('Search', { exact: true }).fill(text);
    await expect
      .poll(async () => {
        const shown = await rows(target).allInnerTexts();
        return shown.every((row) => row.toLowerCase().includes(text.toLowerCase()));
      })
      .toBe(true);
  }

  // Page-side expressions are passed as text: this project's TypeScript has no DOM types.
  it('signs in with a token kept in sessionStorage and lists the patterns, defaults marked', async () => {
    await page.goto(base);
    await page.getByLabel('API token').fill('bp_not_a_token_anyone_issued_0000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/token was not accepted/);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await screenshot(page, '01-sign-in');
    await page.goto(base);
    // Keyboard only: the token field is the first control (once the page has rendered it: a loaded machine
    // may run the test before the console's script has).
    await page.getByLabel('API token').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.count').textContent()).toMatch(/^\d+ patterns/);
    expect(await page.evaluate('Object.values(sessionStorage)')).toContain(ADMIN_TOKEN);
    expect(await page.evaluate('localStorage.length')).toBe(0);
    await expect.poll(() => page.locator('.who').textContent()).toMatch(/admin/);
    await expect.poll(() => page.getByTestId('ruleset-version').textContent()).toMatch(/^\d+$/);
    expect(await rows(page).count()).toBeGreaterThan(10);
    expect(await page.locator('table.patterns .badge.default').count()).toBe(await rows(page).count());
    await screenshot(page, '02-patterns');
  });

  it('filters by type and ISP and searches', async () => {
    await page.getByLabel('Type').selectOption('HARD_BOUNCE');
    await expect.poll(() => page.locator('table.patterns abbr.badge:not(.type-HARD_BOUNCE)').count()).toBe(0);
    const hardBounces = await rows(page).count();
    expect(hardBounces).toBeGreaterThan(0);
    await page.getByLabel('ISP').selectOption({ label: 'Gmail' });
    await expect.poll(async () => (await rows(page).allInnerTexts()).every((r) => r.includes('Gmail'))).toBe(true);
    await page.getByLabel('ISP').selectOption({ label: 'All ISPs (no ISP of its own)' });
    await expect.poll(async () => (await rows(page).allInnerTexts()).every((r) => r.includes('All ISPs'))).toBe(true);
    await page.getByLabel('ISP').selectOption({ label: 'Any ISP' });
    await page.getByLabel('Type').selectOption({ label: 'Any type' });
    await search(page, 'account does not exist');
    await expect.poll(() => page.getByRole('rowheader', { name: /Gmail: account does not exist/ }).count()).toBe(1);
    await screenshot(page, '03-patterns-search');
    await search(page, '');
  });

  it('creates a pattern: every field error at once, a warning for a pattern without literal text, then valid', async () => {
    await page.getByRole('link', { name: 'New pattern' }).click();
    await page.getByLabel('Pattern', { exact: true }).fill('(unclosed');
    await page.getByLabel('Priority').fill('5000000');
    await page.getByRole('button', { name: 'Create pattern' }).click();
    // Name empty, regex broken, priority out of range: shown together.
    await expect.poll(() => page.locator('.field-error').count()).toBeGreaterThanOrEqual(3);
    for (const label of ['Name', 'Pattern', 'Priority']) {
      await expect.poll(() => page.getByLabel(label, { exact: true }).getAttribute('aria-invalid')).toBe('true');
    }
    await screenshot(page, '04-create-field-errors');

    await page.getByLabel('Pattern', { exact: true }).fill('^\\d+\\s.*$');
    await expect.poll(() => page.locator('.try .warning').textContent()).toMatch(/no literal text/);

    await page.getByLabel('Name').fill('Acme: user unknown');
    await page.getByLabel('Type').selectOption('HARD_BOUNCE');
    await page.getByLabel('Pattern', { exact: true }).fill('acme.*user unknown');
    await page.getByLabel('Message').fill('Mailbox does not exist at Acme');
    await page.getByLabel('Priority').fill('5');
    await page
      .getByLabel('Sample replies, one per line')
      .fill(
        '550 5.1.1 acme.example: user unknown\n552 5.2.2 Mailbox full\n550 5.1.1 The email account that you tried to reach does not exist',
      );
    await page.getByRole('button', { name: 'Test pattern' }).click();
    const trials = page.getByRole('table', { name: 'Trial results' }).locator('tbody tr');
    await expect.poll(() => trials.count()).toBe(3);
    expect(await trials.nth(0).innerText()).toMatch(/\bmatches\b/);
    expect(await trials.nth(1).innerText()).toMatch(/no match\s+SB/);
    expect(await trials.nth(2).innerText()).toMatch(/no match\s+HB/);
    await screenshot(page, '05-create-try-samples');

    await page.getByLabel('Reason (kept in the audit log)').fill('ticket #42');
    // The custom pattern must come after the moment the as-of test picks.
    while (Date.now() <= beforeCustom.getTime()) await new Promise((resolve) => setTimeout(resolve, 100));
    await page.getByRole('button', { name: 'Create pattern' }).click();
    await page.getByRole('heading', { name: 'Bounce patterns', level: 2 }).waitFor();
    await search(page, 'Acme');
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(await rows(page).first().innerText()).toMatch(/Acme: user unknown\s+HB\s+All ISPs/);
  });

  it('shows a conflict and the current values when another operator saved first', async () => {
    const other = await newContext({ width: 1280, height: 900 });
    const otherPage = await other.newPage();
    await signIn(otherPage, ADMIN_TOKEN);

    await page.getByRole('link', { name: 'Edit Acme: user unknown' }).click();
    await page.getByLabel('Message').waitFor();
    await page.getByLabel('Message').fill('Acme says: no such user');

    await search(otherPage, 'Acme');
    await otherPage.getByRole('link', { name: 'Edit Acme: user unknown' }).click();
    await otherPage.getByLabel('Priority').fill('7');
    await otherPage.getByRole('button', { name: 'Save changes' }).click();
    await otherPage.getByRole('heading', { name: 'Bounce patterns', level: 2 }).waitFor();
    await other.close();

    await page.getByRole('button', { name: 'Save changes' }).click();
    const conflict = page.locator('.conflict');
    await conflict.waitFor();
    expect(await conflict.innerText()).toMatch(/saved this pattern first/);
    expect(await conflict.getByRole('row', { name: /Priority/ }).innerText()).toMatch(/Priority\s+5\s+7/);
    expect(await conflict.getByRole('row', { name: /Message/ }).innerText()).toMatch(/Acme says: no such user/);
    await screenshot(page, '06-edit-conflict');

    await page.getByRole('button', { name: /Keep my values/ }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Bounce patterns', level: 2 }).waitFor();
    await search(page, 'Acme');
    await expect.poll(() => rows(page).first().innerText()).toMatch(/Acme says: no such user/);
  });

  it('offers no delete for a default (disable instead), deletes a custom one and restores it from the trash', async () => {
    await search(page, 'Gmail: account does not exist');
    await expect.poll(() => rows(page).count()).toBe(1);
    expect(
      await rows(page)
        .getByRole('button', { name: /Delete/ })
        .count(),
    ).toBe(0);
    const differs = rows(page).locator('.badge.differs');
    expect(await differs.count()).toBe(0);
    await rows(page).getByRole('button', { name: 'Disable Gmail: account does not exist' }).click();
    await rows(page).getByRole('button', { name: 'Enable Gmail: account does not exist' }).waitFor();
    expect(await rows(page).first().innerText()).toMatch(/500\s+no\b/);
    // The operator's edit makes the default differ from what the release ships; enabling it again undoes that.
    await expect.poll(() => differs.count()).toBe(1);
    expect(await differs.getAttribute('title')).toMatch(/not what this release ships/);
    expect(await differs.innerText()).toBe('differs from shipped default');
    await rows(page).getByRole('button', { name: 'Enable Gmail: account does not exist' }).click();
    await rows(page).getByRole('button', { name: 'Disable Gmail: account does not exist' }).waitFor();
    await expect.poll(() => differs.count()).toBe(0);

    await search(page, 'Acme');
    await page.getByRole('button', { name: 'Delete Acme: user unknown' }).click();
    await page.getByLabel('Why delete it?').fill('duplicate of a default');
    await page.getByRole('button', { name: 'Move to trash' }).click();
    await expect.poll(() => page.getByText('No pattern matches.').count()).toBe(1);

    await page.getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('button', { name: 'Restore Acme: user unknown' }).waitFor();
    await screenshot(page, '07-trash');
    await page.getByRole('button', { name: 'Restore Acme: user unknown' }).click();
    await expect.poll(() => page.getByText('The trash is empty.').count()).toBe(1);

    await page.getByRole('link', { name: 'Patterns' }).click();
    await search(page, 'Acme');
    await expect.poll(() => rows(page).count()).toBe(1);
  });

  it('shows a history field by field, with who and why, and reverts to a version', async () => {
    await page.getByRole('link', { name: 'History of Acme: user unknown' }).click();
    await page.getByRole('heading', { name: /History of/ }).waitFor();
    const history = page.locator('ol.history');
    await expect.poll(() => history.locator('li').count()).toBe(5);
    const text = await history.innerText();
    expect(text).toMatch(/ticket #42/);
    expect(text).toMatch(/duplicate of a default/);
    expect(text).toMatch(/message\s+Mailbox does not exist at Acme\s+Acme says: no such user/);
    await page.getByLabel('Reason for a revert').fill('back to the first wording');
    await page.getByRole('button', { name: 'Revert to version 1' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Reverted: now version 6/);
    await expect.poll(() => history.locator('li').count()).toBe(6);
    expect(await history.locator('li').first().innerText()).toMatch(/back to the first wording/);
    await screenshot(page, '08-history-reverted');
  });

  it('shows the rules as of a past moment and their difference from now', async () => {
    await page.getByRole('link', { name: 'Rules as of' }).click();
    await page.getByLabel('Moment (your local time)').fill(beforeCustom.toISOString().slice(0, 19));
    await page.getByRole('button', { name: 'Show the rules then' }).click();
    const then = page.getByRole('table', { name: 'Patterns then' });
    await then.waitFor();
    expect(await then.innerText()).not.toMatch(/Acme/);
    expect(await then.innerText()).toMatch(/Gmail: account does not exist/);
    await expect
      .poll(() => page.getByRole('list', { name: 'Changes since then' }).innerText())
      .toMatch(/added since: Acme: user unknown/);
    await screenshot(page, '09-rules-as-of');
  });

  it('verifies the audit trail and filters the audit log', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('button', { name: 'Verify the audit trail' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/^Intact: \d+ events checked/);
    await page.getByLabel('Event types (comma separated)').fill('BouncePatternDeleted');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('.count').textContent()).toBe('1 entry, newest first');
    await screenshot(page, '10-audit');
  });

  it('classifies a pasted reply and names the pattern and ISP that decided it', async () => {
    await page.getByRole('link', { name: 'Classify' }).click();
    await page.getByLabel('SMTP reply').fill('550 5.1.1 The email account that you tried to reach does not exist');
    await page.getByLabel(/^Recipient/).fill('someone@gmail.com');
    await page.getByRole('button', { name: 'Classify', exact: true }).click();
    const verdict = page.getByRole('definition');
    await expect.poll(() => verdict.first().textContent()).toMatch(/Hard bounce/);
    const text = await page.locator('dl.verdict').innerText();
    expect(text).toMatch(/pattern “Gmail: account does not exist”/);
    expect(text).toMatch(/ISP\s+Gmail/);
    await screenshot(page, '11-classify');
  });

  it('shows the ISP directory and an ISP’s patterns in rule order', async () => {
    await page.getByRole('link', { name: 'ISPs' }).click();
    await page.getByRole('link', { name: 'Gmail' }).click();
    await page.getByRole('heading', { name: 'Its own patterns, in rule order' }).waitFor();
    const priorities = (await rows(page).locator('td.num').allInnerTexts()).map(Number);
    expect(priorities.length).toBeGreaterThan(0);
    expect(priorities).toEqual([...priorities].sort((a, b) => a - b));
    await screenshot(page, '12-isp');
  });

  it('shows a change made in a second context without a reload, with the new ruleset version', async () => {
    await page.getByRole('link', { name: 'Patterns' }).click();
    await search(page, 'Acme');
    await expect.poll(() => page.locator('.live .dot.on').count()).toBe(1);
    const before = Number(await page.getByTestId('ruleset-version').textContent());
    await page.evaluate('window.notReloaded = true');

    const other = await newContext({ width: 1280, height: 900 });
    const otherPage = await other.newPage();
    await signIn(otherPage, ADMIN_TOKEN);
    await search(otherPage, 'Acme');
    await otherPage.getByRole('link', { name: 'Edit Acme: user unknown' }).click();
    await otherPage.getByLabel('Message').fill('Changed in another window');
    await otherPage.getByRole('button', { name: 'Save changes' }).click();
    await otherPage.getByRole('heading', { name: 'Bounce patterns', level: 2 }).waitFor();
    await other.close();

    await expect.poll(() => rows(page).first().innerText()).toMatch(/Changed in another window/);
    await expect
      .poll(async () => Number(await page.getByTestId('ruleset-version').textContent()))
      .toBeGreaterThan(before);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    await screenshot(page, '15-live-update');
  });

  it('shows a viewer no editing controls', async () => {
    // Something in the trash, so that the missing Restore button means something.
    const { createBouncePattern } = await gqlData(
      service.url,
      'mutation($input: CreateBouncePatternInput!) { createBouncePattern(input: $input) { pattern { id version } } }',
      { input: { name: 'Old Acme rule', type: 'BOUNCE', pattern: 'acme policy', message: '' } },
    );
    const { id, version } = createBouncePattern.pattern;
    await gqlData(
      service.url,
      'mutation($id: ID!, $v: Int!) { deleteBouncePattern(id: $id, expectedVersion: $v) { pattern { id } } }',
      {
        id,
        v: version,
      },
    );
    const context = await newContext({ width: 1280, height: 900 });
    const viewer = await context.newPage();
    await signIn(viewer, viewerToken);
    await expect.poll(() => viewer.locator('.count').textContent()).toMatch(/^\d+ patterns/);
    expect(await viewer.locator('.who').innerText()).toMatch(/Vera Viewer \(viewer\)/);
    expect(await viewer.getByRole('link', { name: 'New pattern' }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: /^Edit / }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^(Delete|Disable|Enable) / }).count()).toBe(0);
    await viewer.getByRole('link', { name: 'Trash' }).click();
    await viewer.getByRole('rowheader', { name: 'Old Acme rule' }).waitFor();
    expect(await viewer.getByRole('button', { name: /^Restore / }).count()).toBe(0);
    await screenshot(viewer, '13-viewer');
    await viewer.getByRole('button', { name: 'Sign out' }).click();
    await viewer.getByLabel('API token').waitFor();
    expect(await viewer.evaluate('sessionStorage.length')).toBe(0);
    await context.close();
  });

  it('is readable in a narrow window', async () => {
    const context = await newContext({ width: 390, height: 844 });
    const narrow = await context.newPage();
    await signIn(narrow, ADMIN_TOKEN);
    await expect.poll(() => narrow.locator('.count').textContent()).toMatch(/^\d+ patterns/);
    // The page itself does not scroll sideways; the table scrolls inside its frame.
    expect(await narrow.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(narrow, '14-narrow');
    await context.close();
  });
});
