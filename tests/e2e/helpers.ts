import { expect, type Page } from '@playwright/test';

export const DEMO = { login: 'olivia@example.test', password: 'postern-demo', mailbox: 'olivia@example.test' };

export async function signIn(page: Page, next = '/'): Promise<void> {
  await page.goto(next);
  const form = page.locator('#login');
  await expect(form).toBeVisible();
  await form.locator('input[name="login"]').fill(DEMO.login);
  await form.locator('input[name="password"]').fill(DEMO.password);
  await form.locator('button[type="submit"]').click();
  await expect(page.locator('[data-testid="message-list"]')).toBeVisible();
}

/** The id of the demo mailbox, read from the API with the page's own session. */
export async function demoMailboxId(page: Page): Promise<number> {
  const res = await page.request.get('/api/me');
  expect(res.ok()).toBeTruthy();
  const me = await res.json();
  const mb = me.mailboxes.find((m: { address: string }) => m.address === DEMO.mailbox);
  expect(mb, 'demo mailbox is granted to the demo owner').toBeTruthy();
  return mb.id;
}

/** On a phone the folder tree lives in a drawer; open it when needed. */
export async function showFolders(page: Page): Promise<void> {
  const folders = page.locator('nav[data-testid="folders"]');
  if (!(await folders.isVisible())) {
    await page.locator('[data-testid="folders-toggle"]').click();
  }
  await expect(folders).toBeVisible();
}

/** Narrows the list to one message by its (unique) subject. */
export async function searchFor(page: Page, subject: string): Promise<void> {
  const search = page.locator('input[data-testid="search"]');
  await search.fill(subject);
  await search.press('Enter');
  await expect(page.locator('[data-testid="message-row"]', { hasText: subject })).toBeVisible();
}
