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

// ---- the portal (settings, administration), shared by its specs

export const portalModule = 'script[data-wasm*="postern-portal"]';
export const DOMAIN = 'example.test';

/** A local part of our own, valid under R-ADDR-1. */
export function uniqueLocal(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export async function openAccountMenu(page: Page): Promise<void> {
  const button = page.locator('button[data-testid="account-menu"]');
  await button.click();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  await expect(page.locator('[data-testid="account-panel"]')).toBeVisible();
}

/** Signs in and opens the administration from the account menu. */
export async function openAdmin(page: Page): Promise<number> {
  await signIn(page);
  await openAccountMenu(page);
  await page.locator('a[data-testid="menu-admin"]').click();
  await expect(page).toHaveURL(/\/admin\/\d+\/addresses$/);
  await expect(page.locator(portalModule)).toHaveCount(1);
  await expect(page.locator('[data-testid="address-row"]').first()).toBeVisible();
  return Number(/\/admin\/(\d+)\//.exec(page.url())![1]);
}

/** Creates a mailbox for nobody through the form; returns its address. */
export async function createForNobody(page: Page, local: string): Promise<string> {
  const box = page.locator('details[data-testid="create-box"]');
  // `open` is a boolean attribute: present ("") means open.
  if ((await box.getAttribute('open')) === null) await page.locator('[data-testid="create-toggle"]').click();
  await page.locator('input[data-testid="new-local-part"]').fill(local);
  await page.locator('input[data-testid="kind-mailbox"]').check();
  await page.locator('input[data-testid="mode-nobody"]').check();
  // A double click sends once: the button is disabled while it is on its way.
  await page.locator('button[data-testid="create-submit"]').dblclick();
  const address = `${local}@${DOMAIN}`;
  await expect(page.locator('[data-testid="create-status"]')).toContainText(address);
  await expect(page.locator('[data-testid="new-local-error"]')).toBeEmpty();
  await expect(page.locator(`[data-testid="address-row"][data-address="${address}"]`)).toHaveCount(1);
  return address;
}

/** Deletes addresses through the API (clean-up), with the page's session. */
export async function deleteByApi(page: Page, org: number, ids: number[]): Promise<void> {
  const session = await (await page.request.get('/api/session')).json();
  const res = await page.request.post(`/api/orgs/${org}/addresses/delete`, {
    headers: { 'X-CSRF-Token': session.csrf_token },
    data: { ids },
  });
  expect(res.ok()).toBeTruthy();
}

/** Opens a settings section: the side menu on a desktop, the select on a phone. */
export async function openSection(page: Page, slug: string): Promise<void> {
  const link = page.locator(`a[data-testid="section-link"][data-section="${slug}"]`);
  const select = page.locator('select[data-testid="section-select"]');
  // The page has drawn its menu (both exist; the layout's CSS shows one).
  await expect(link.or(select).first()).toBeAttached();
  if (await link.isVisible()) {
    await link.click();
  } else {
    await select.selectOption(slug);
  }
  await expect(page).toHaveURL(new RegExp(`/settings/\\d+/${slug}$`));
  await expect(page.locator(`[data-testid="settings-section"][data-section="${slug}"]`)).toBeVisible();
}

/** The page's CSRF token (for API calls with the page's session). */
export async function csrf(page: Page): Promise<string> {
  return (await (await page.request.get('/api/session')).json()).csrf_token;
}

/** A new mailbox of the demo organisation granted to the signed-in owner
 * ("for myself"), so parallel projects never share one. */
export async function myMailbox(page: Page, org: number, prefix: string): Promise<{ id: number; address: string }> {
  const table = await (await page.request.get(`/api/orgs/${org}/addresses`)).json();
  const domain = table.domains[0].id;
  const res = await page.request.post(`/api/orgs/${org}/addresses`, {
    headers: { 'X-CSRF-Token': await csrf(page) },
    data: { local_part: uniqueLocal(prefix), domain, kind: 'mailbox', recipients: { mode: 'myself' } },
  });
  expect(res.status()).toBe(201);
  const created = await res.json();
  return { id: created.address.id, address: created.address.address };
}
