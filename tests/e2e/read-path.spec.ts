// The webmail read path as a person uses it, on a desktop and on a phone.
import { test, expect } from '@playwright/test';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Imap, message, unique } from './imap';
import { DEMO, demoMailboxId, searchFor, showFolders, signIn } from './helpers';

test('wrong password is refused with a visible message', async ({ page }) => {
  await page.goto('/');
  const form = page.locator('#login');
  await form.locator('input[name="login"]').fill(DEMO.login);
  await form.locator('input[name="password"]').fill('not-the-password');
  await form.locator('button[type="submit"]').click();
  await expect(form.locator('[role="alert"]')).toBeVisible();
  await expect(page.locator('[data-testid="message-list"]')).toHaveCount(0);
});

test('sign in, open a folder, filter unread, open a message, star it, reload: still starred', async ({ page }) => {
  const subject = unique('Unread star test');
  const imap = await Imap.login(DEMO.mailbox);
  const uid = await imap.append('INBOX', message({ subject, text: 'Please star me.' }));

  await signIn(page);
  await showFolders(page);
  await page.locator('nav[data-testid="folders"] a[data-folder="INBOX"]').click();
  await expect(page.locator('[data-testid="message-list"]')).toBeVisible();

  await page.locator('select[data-testid="filter"]').selectOption('unread');
  const rows = page.locator('[data-testid="message-row"]');
  await expect(rows.first()).toBeVisible();
  // Every row the server returns for "unread" really is unread.
  const count = await rows.count();
  for (let i = 0; i < count; i++) await expect(rows.nth(i)).toHaveClass(/\bunread\b/);

  await searchFor(page, subject);
  const row = page.locator(`[data-testid="message-row"][data-uid="${uid}"]`);
  await expect(row).toHaveClass(/\bunread\b/);
  await row.click();

  const reader = page.locator('article[data-testid="reader"]');
  await expect(reader).toContainText(subject);
  await expect(reader).toContainText('Please star me.');
  const star = reader.locator('button[data-testid="star"]');
  await expect(star).toHaveAttribute('aria-pressed', 'false');
  await star.click();
  await expect(star).toHaveAttribute('aria-pressed', 'true');

  // Another IMAP client sees the star (\Flagged) and the message as read.
  await expect.poll(async () => imap.flags('INBOX', uid)).toContain('\\Flagged');
  expect(await imap.flags('INBOX', uid)).toContain('\\Seen');

  await page.reload();
  await expect(page.locator('article[data-testid="reader"] button[data-testid="star"]')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await imap.logout();
});

test('a star set by another IMAP client shows in the list', async ({ page }) => {
  const subject = unique('Starred elsewhere');
  const imap = await Imap.login(DEMO.mailbox);
  const uid = await imap.append('INBOX', message({ subject }));
  await imap.store('INBOX', uid, '+', '\\Flagged');
  await imap.logout();

  await signIn(page);
  await page.locator('select[data-testid="filter"]').selectOption('flagged');
  await searchFor(page, subject);
  const star = page.locator(`[data-testid="message-row"][data-uid="${uid}"] button[data-testid="star"]`);
  await expect(star).toHaveAttribute('aria-pressed', 'true');
});

test('remote images are not fetched until the user allows them', async ({ page }) => {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/gif' });
    res.end(Buffer.from('R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==', 'base64'));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  try {
    const subject = unique('Newsletter with a tracker');
    const imap = await Imap.login(DEMO.mailbox);
    const uid = await imap.append(
      'INBOX',
      message({
        subject,
        html: `<html><body><p>Hello reader</p><img alt="tracker" src="http://127.0.0.1:${port}/pixel.gif?u=1"></body></html>`,
      }),
    );
    await imap.logout();

    await signIn(page);
    await searchFor(page, subject);
    await page.locator(`[data-testid="message-row"][data-uid="${uid}"]`).click();
    const frame = page.frameLocator('iframe[data-testid="message-html"]');
    await expect(frame.locator('body')).toContainText('Hello reader');
    await page.waitForTimeout(500);
    expect(hits, 'no request reached the image server before allowing').toEqual([]);

    await page.locator('[data-testid="show-images"]').click();
    await expect(frame.locator('body')).toContainText('Hello reader');
    await expect.poll(() => hits.length).toBeGreaterThan(0);
  } finally {
    server.close();
  }
});

test('a deep link to a message survives a reload', async ({ page }) => {
  const subject = unique('Deep link');
  const imap = await Imap.login(DEMO.mailbox);
  const uid = await imap.append('INBOX', message({ subject, text: 'Linked body.' }));
  await imap.logout();

  await signIn(page);
  const mb = await demoMailboxId(page);
  await page.goto(`/mail/${mb}/INBOX/${uid}`);
  await expect(page.locator('article[data-testid="reader"]')).toContainText('Linked body.');
  await page.reload();
  await expect(page.locator('article[data-testid="reader"]')).toContainText('Linked body.');
});

test('the app shell loads with the network off', async ({ page, context }) => {
  await signIn(page);
  const mb = await demoMailboxId(page);
  // Wait until the service worker controls the page and has its precache.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  await context.setOffline(true);
  await page.goto(`/mail/${mb}/INBOX`);
  // The shell renders from the service worker's cache (not the browser's
  // offline page), and says the service cannot be reached.
  await expect(page.locator('[role="alert"][data-testid="banner"]')).toBeVisible();
  await context.setOffline(false);
});
