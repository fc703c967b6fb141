// The transfer page belongs to the portal (portal.html, its own wasm): the
// webmail's header reaches it with a page load, sign-in on the webmail
// brings the user back to it, and the service worker serves it offline.
import { test, expect } from '@playwright/test';
import { DEMO, signIn } from './helpers';

const portalModule = 'script[data-wasm*="postern-portal"]';
const webmailModule = 'script[data-wasm*="postern-frontend"]';

test('the header opens the transfer page, which publishes a link to an uploaded file', async ({ page }) => {
  await signIn(page);
  await page.locator('a[data-testid="transfer-link"]').click();
  await expect(page).toHaveURL(/\/transfer$/);
  await expect(page.locator(portalModule)).toHaveCount(1);
  // Files can be picked once the session is known (the upload needs its CSRF token).
  await expect(page.locator('main.transfer-main')).toHaveAttribute('aria-busy', 'false');
  await expect(page.locator('input[data-testid="transfer-input"]')).toBeEnabled();

  await page.locator('input[data-testid="transfer-input"]').setInputFiles({
    name: 'shared.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('A file to share.\n'),
  });
  const create = page.locator('button[data-testid="create-transfer"]');
  await expect(create).toBeEnabled({ timeout: 20_000 });
  await create.click();
  const result = page.locator('[data-testid="transfer-result"]');
  await expect(result).toBeVisible();
  await expect(result.locator('input[data-testid="transfer-url"]')).toHaveValue(/\/t\/[^/?#]+$/);
  await expect(result).toContainText('shared.txt');

  // Back to the inbox: the webmail again.
  await page.locator('a.back').click();
  await expect(page.locator('[data-testid="message-list"]')).toBeVisible();
  await expect(page.locator(webmailModule)).toHaveCount(1);
});

test('signing in from /transfer comes back to it', async ({ page }) => {
  await page.goto('/transfer');
  await expect(page).toHaveURL(/\/login\?next=%2Ftransfer$/);
  const form = page.locator('#login');
  await form.locator('input[name="login"]').fill(DEMO.login);
  await form.locator('input[name="password"]').fill(DEMO.password);
  await form.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/\/transfer$/);
  await expect(page.locator('input[data-testid="transfer-input"]')).toBeAttached();
  await expect(page.locator(portalModule)).toHaveCount(1);
});

test('the transfer page loads with the network off', async ({ page, context }) => {
  await signIn(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  await context.setOffline(true);
  await page.goto('/transfer');
  // The portal's shell from the service worker's cache, saying the service
  // cannot be reached.
  await expect(page.locator(portalModule)).toHaveCount(1);
  await expect(page.locator('[role="alert"][data-testid="banner"]')).toBeVisible();
  await context.setOffline(false);
});
