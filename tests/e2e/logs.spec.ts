// The Logs page (R-LOG), desktop and phone (360 px): the demo owner sends a
// message to a local mailbox and one to a local address that does not
// exist, finds each in the mailbox's Logs by subject and by address, opens
// its ⓘ and reads the plain-words explanation with the server's answer
// below; the direction filter leaves out what does not match; the
// administration's view of the service finds the same message. A user of
// the organisation (not an administrator) sees the menu entry disabled,
// with the reason, and the server refuses them (R-LOG-3).
import { test, expect, type Page } from '@playwright/test';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { unique } from './imap';
import { DEMO, csrf, demoMailboxId, portalModule, signIn, uniqueLocal, DOMAIN } from './helpers';

const UMAR = { login: 'umar@example.test', password: DEMO.password };

/** Sends a plain message from mailbox `mb` at once (no undo window);
 * answers the HTTP status (a refused recipient may fail the send). */
async function send(page: Page, mb: number, to: string, subject: string): Promise<number> {
  const res = await page.request.post(`/api/mailboxes/${mb}/send`, {
    headers: { 'X-CSRF-Token': await csrf(page) },
    data: {
      draft: { to: [{ address: to }], subject, text: `Text of ${subject}.\n` },
      undo_seconds: 0,
    },
  });
  return res.status();
}

/** Searches the open Logs page for `text` until a row for `to` with
 * `status` shows (the gateway follows the mail server's log every second;
 * `status` may be several, `a|b`). */
async function findRow(page: Page, text: string, to: string, status: string) {
  const statuses = status
    .split('|')
    .map((s) => `[data-testid="log-row"][data-to="${to}"][data-status="${s}"]`)
    .join(', ');
  const row = page.locator(statuses);
  await page.locator('input[data-testid="log-text"]').fill(text);
  await expect
    .poll(
      async () => {
        await page.locator('button[data-testid="log-submit"]').click();
        await expect(page.locator('[data-testid="log-table"]')).toHaveAttribute('aria-busy', 'false');
        return row.count();
      },
      { timeout: 45_000, intervals: [1_000] },
    )
    .toBe(1);
  return row;
}

test('the owner finds a sent message in the Logs, opens its ⓘ, and a refused one explained', async ({ page }) => {
  // Two deliveries to wait for through the mail server's log.
  test.setTimeout(120_000);
  await signIn(page);
  const mb = await demoMailboxId(page);
  const subject = unique('Logs e2e');
  const nobody = `${uniqueLocal('nobody')}@${DOMAIN}`;
  const nobodySubject = unique('Logs e2e nobody');
  expect(await send(page, mb, UMAR.login, subject)).toBe(200);
  // Refused at RCPT by the mail server: the send itself may fail, the log says why.
  await send(page, mb, nobody, nobodySubject);

  await page.goto(`/settings/${mb}/logs`);
  await expect(page.locator(portalModule)).toHaveCount(1);
  await expect(page.locator('[data-testid="settings-section"][data-section="logs"]')).toBeVisible();
  // How far back it can show (R-LOG-2): the free 20 days.
  await expect(page.locator('[data-testid="log-retention"]')).toContainText('20 days');

  // By subject: the one row, sent, delivered.
  const row = await findRow(page, subject, UMAR.login, 'delivered');
  await expect(page.locator('[data-testid="log-row"]')).toHaveCount(1);
  await expect(row.locator('[data-testid="log-subject"]')).toHaveText(subject);
  await expect(row.locator('[data-testid="log-from"]')).toHaveText(DEMO.mailbox);
  await expect(row.locator('[data-testid="log-direction-cell"]')).toHaveText('Sent');
  await expect(row.locator('[data-testid="log-status"]')).toHaveText('Delivered');
  const info = row.locator('button[data-testid="log-info"]');
  await expect(info).toHaveAttribute('aria-expanded', 'false');
  await expect(row.locator('[data-testid="log-explanation"]')).toHaveCount(0);
  await info.click();
  await expect(info).toHaveAttribute('aria-expanded', 'true');
  const explanation = row.locator('[data-testid="log-explanation"]');
  await expect(explanation).toBeVisible();
  await expect(explanation).toHaveText('The message was delivered: the recipient’s server accepted it.');
  await expect(row.locator('[data-testid="log-answer"]')).toContainText('2.0.0');
  await info.click();
  await expect(row.locator('[data-testid="log-explanation"]')).toHaveCount(0);

  // The direction filter: nothing of it was received by this mailbox.
  await page.locator('select[data-testid="log-direction"]').selectOption('received');
  await page.locator('button[data-testid="log-submit"]').click();
  await expect(page.locator('[data-testid="log-empty"]')).toBeVisible();
  await expect(page.locator('[data-testid="log-row"]')).toHaveCount(0);
  await page.locator('select[data-testid="log-direction"]').selectOption('sent');

  // A backwards time range is said, not sent.
  await page.locator('input[data-testid="log-since"]').fill('2030-01-02T10:00');
  await page.locator('input[data-testid="log-until"]').fill('2030-01-01T10:00');
  await page.locator('button[data-testid="log-submit"]').click();
  await expect(page.locator('[data-testid="log-range-error"]')).toContainText('after its end');
  await page.locator('input[data-testid="log-since"]').fill('');
  await page.locator('input[data-testid="log-until"]').fill('');

  // By address: the refused delivery, explained in plain words, the raw answer below.
  // Refused at RCPT (rejected), or accepted and bounced by another path of the server.
  const refused = await findRow(page, nobody, nobody, 'rejected|bounced');
  const refusedInfo = refused.locator('button[data-testid="log-info"]');
  await refusedInfo.click();
  const why = refused.locator('[data-testid="log-explanation"]');
  await expect(why).toHaveAttribute('data-reason', 'unknown_recipient');
  await expect(why).toHaveText('The recipient’s address does not exist at their provider. Check its spelling.');
  await expect(refused.locator('[data-testid="log-answer"]')).toContainText('5.1.1');
  // On a phone the table is a card per entry: nothing wider than the screen.
  const width = page.viewportSize()!.width;
  const box = await refused.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(width + 1);

  // The administration's view of the service finds the same message, named by mailbox.
  const org = (await (await page.request.get('/api/me')).json()).organizations[0].id;
  await page.goto(`/admin/${org}/logs`);
  await expect(page.locator('[data-testid="log-search"]')).toBeVisible();
  const adminRow = await findRow(page, subject, UMAR.login, 'delivered');
  await expect(adminRow).toContainText(DEMO.mailbox);
});

/** The API's page of log entries (shared::logs::PAGE_SIZE). */
const LOG_PAGE = 100;

/** `n` received messages from `news-<tag>@ingest.test` to `to`, as the
 * stack's Postfix writes their lines, appended in one write to the log the
 * gateway follows (tests/src/postfix_log.rs writes the same lines). */
function appendReceived(n: number, tag: string, to: string) {
  const d = new Date();
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (x: number) => String(x).padStart(2, '0');
  const stamp = `${months[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  let lines = '';
  for (let i = 0; i < n; i++) {
    const q = `E${tag}${i.toString(16).toUpperCase().padStart(7, '0')}`;
    lines +=
      `${stamp} mx postfix/smtpd[4242]: ${q}: client=unknown[192.0.2.1]\n` +
      `${stamp} mx postfix/cleanup[4243]: ${q}: message-id=<${i}.${tag}@ingest.test>\n` +
      `${stamp} mx postfix/qmgr[4244]: ${q}: from=<news-${tag}@ingest.test>, size=2048, nrcpt=1 (queue active)\n` +
      `${stamp} mx postfix/lmtp[4245]: ${q}: to=<${to}>, relay=127.0.0.1[127.0.0.1]:24, delay=0.1, ` +
      `delays=0.05/0/0.02/0.03, dsn=2.0.0, status=sent (250 2.0.0 <${to}> S${i}${tag} Saved)\n`;
  }
  const dir = process.env.POSTERN_TEST_LOG_DIR;
  if (!dir) throw new Error('POSTERN_TEST_LOG_DIR is not set: run through cargo xtask test');
  appendFileSync(join(dir, 'postfix.log'), lines);
}

test('a search with more than a page of entries shows the older ones on demand', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page);
  const mb = await demoMailboxId(page);
  const tag = unique('older').replace(/[^A-Za-z0-9]/g, '');
  appendReceived(LOG_PAGE + 5, tag, DEMO.mailbox);

  await page.goto(`/settings/${mb}/logs`);
  await expect(page.locator(portalModule)).toHaveCount(1);
  const rows = page.locator('[data-testid="log-row"]');
  const more = page.locator('button[data-testid="log-more"]');
  await page.locator('input[data-testid="log-text"]').fill(`news-${tag}@`);
  // One write, one step of the follower: none of them, or all.
  await expect
    .poll(
      async () => {
        await page.locator('button[data-testid="log-submit"]').click();
        await expect(page.locator('[data-testid="log-table"]')).toHaveAttribute('aria-busy', 'false');
        return rows.count();
      },
      { timeout: 45_000, intervals: [1_000] },
    )
    .toBe(LOG_PAGE);
  await expect(more).toBeVisible();
  await more.click();
  await expect(rows).toHaveCount(LOG_PAGE + 5);
  await expect(more).toHaveCount(0);
  // Every row is one of this batch's (the search), and no more than it has.
  const froms = await page.locator('[data-testid="log-from"]').allTextContents();
  expect(new Set(froms)).toEqual(new Set([`news-${tag}@ingest.test`]));
});

test('a user without the right sees Logs disabled with the reason, and the server refuses', async ({ page }) => {
  await page.goto('/login');
  const form = page.locator('#login');
  await form.locator('input[name="login"]').fill(UMAR.login);
  await form.locator('input[name="password"]').fill(UMAR.password);
  await form.locator('button[type="submit"]').click();
  await expect(page.locator('[data-testid="message-list"]')).toBeVisible();
  const me = await (await page.request.get('/api/me')).json();
  const mb = me.mailboxes.find((m: { address: string }) => m.address === UMAR.login).id;

  await page.goto(`/settings/${mb}/general`);
  await expect(page.locator(portalModule)).toHaveCount(1);
  await expect(page.locator('[data-testid="settings-section"][data-section="general"]')).toBeVisible();
  // No link to it, a disabled entry instead, and why — on a phone under the section select.
  await expect(page.locator('a[data-testid="section-link"][data-section="logs"]')).toHaveCount(0);
  const reason = page.locator('[data-testid="section-refusal"][data-section="logs"]').filter({ visible: true });
  await expect(reason).toHaveCount(1);
  await expect(reason).toContainText('owners, administrators and legal representatives');
  const select = page.locator('select[data-testid="section-select"]');
  if (await select.isVisible()) {
    await expect(select.locator('option[value="logs"]')).toBeDisabled();
  } else {
    await expect(page.locator('[data-testid="section-disabled"][data-section="logs"]')).toHaveAttribute('aria-disabled', 'true');
  }

  // Opened by its address: the reason again, no table; the server says 403.
  await page.goto(`/settings/${mb}/logs`);
  await expect(page.locator('[data-testid="logs-refusal"]')).toContainText('legal representatives');
  await expect(page.locator('[data-testid="log-table"]')).toHaveCount(0);
  const res = await page.request.get(`/api/mailboxes/${mb}/logs`);
  expect(res.status()).toBe(403);
});
