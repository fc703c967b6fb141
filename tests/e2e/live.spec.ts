// Live updates (issue 15): what another client does shows in an open
// webmail without a reload — mail delivered by Postfix, a star set over
// IMAP, a message expunged elsewhere — and a tab that lost the network
// catches up when it is back.
import { test, expect, type Page } from '@playwright/test';
import { Imap, message, unique } from './imap';
import { deliver } from './smtp';
import { DEMO, signIn } from './helpers';

/** Marks the page: the mark is gone if anything reloads it. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __postern_mark: number }).__postern_mark = 1));
}

async function stillSamePage(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __postern_mark?: number }).__postern_mark)).toBe(1);
}

/** The Inbox's unread count in the folder tree (0 when none is shown). */
async function inboxUnread(page: Page): Promise<number> {
  const text = await page.locator('nav[data-testid="folders"] a[data-folder="INBOX"] .badge').textContent().catch(() => null);
  return Number(text ?? 0) || 0;
}

test('mail delivered through Postfix appears at the top of the open Inbox', async ({ page }) => {
  await signIn(page);
  await markPage(page);
  const subject = unique('Live arrival');
  await deliver(DEMO.mailbox, message({ subject, text: 'Here while you look.' }));
  const row = page.locator('[data-testid="message-row"]', { hasText: subject });
  await expect(row).toBeVisible({ timeout: 5_000 });
  await expect(row).toHaveClass(/\bunread\b/);
  await stillSamePage(page);
});

test('a star and an expunge by another IMAP client show in the open list', async ({ page }) => {
  const subject = unique('Live flags');
  const imap = await Imap.login(DEMO.mailbox);
  const uid = await imap.append('INBOX', message({ subject }));
  await signIn(page);
  const row = page.locator(`[data-testid="message-row"][data-uid="${uid}"]`);
  await expect(row).toBeVisible();
  await markPage(page);

  await imap.store('INBOX', uid, '+', '\\Flagged');
  await expect(row).toHaveClass(/\bflagged\b/, { timeout: 5_000 });
  await imap.store('INBOX', uid, '+', '\\Seen');
  await expect(row).not.toHaveClass(/\bunread\b/, { timeout: 5_000 });

  await imap.store('INBOX', uid, '+', '\\Deleted');
  await imap.cmd('EXPUNGE');
  await expect(row).toHaveCount(0, { timeout: 5_000 });
  await stillSamePage(page);
  await imap.logout();
});

test('a tab that lost the network catches up with mail that came meanwhile', async ({ page, context }) => {
  await signIn(page);
  await markPage(page);
  const before = await inboxUnread(page);
  await context.setOffline(true);
  const subject = unique('Live while offline');
  await deliver(DEMO.mailbox, message({ subject }));
  // Delivered and told by now: an offline tab cannot have heard it.
  await page.waitForTimeout(2_000);
  const row = page.locator('[data-testid="message-row"]', { hasText: subject });
  await expect(row).toHaveCount(0);
  await context.setOffline(false);
  await expect(row).toBeVisible({ timeout: 35_000 });
  await stillSamePage(page);
  // Other tests add and read mail too: the count moved, it is not stale.
  expect(await inboxUnread(page)).toBeGreaterThan(0);
  expect(before).toBeGreaterThanOrEqual(0);
});
