// The GDPR pages as the demo owner uses them, on a desktop and on a 360 px
// phone: the administration's Organisation section (edit the legal name,
// save, download the personalised DPA as a PDF), and the privacy and
// cookies page, reopened from the account menu and from the sign-in page.
import * as fs from 'fs';
import { test, expect, type Page } from '@playwright/test';
import { openAccountMenu, openAdmin, portalModule, signIn } from './helpers';

async function openOrganisation(page: Page): Promise<number> {
  const org = await openAdmin(page);
  const link = page.locator('a[data-section="organisation"]');
  if (await link.isVisible()) {
    await link.click();
  } else {
    await page.locator('select[data-testid="admin-section-select"]').selectOption('organisation');
  }
  await expect(page).toHaveURL(new RegExp(`/admin/${org}/organisation$`));
  await expect(page.locator('[data-testid="org-form"]')).toBeVisible();
  return org;
}

test('the owner edits the organisation name and downloads the DPA', async ({ page }, info) => {
  const org = await openOrganisation(page);
  const name = page.locator('input[data-testid="org-legal-name"]');
  await expect(name).toBeEnabled();
  // The seeded details make the DPA available at once.
  await expect(page.locator('a[data-testid="dpa-download"]')).toBeVisible();

  const legal = `Example Org Servicios S.L. (${info.project.name} ${Date.now().toString(36)})`;
  await name.fill(legal);
  // Unsaved changes: the agreement would not print them yet.
  await expect(page.locator('button[data-testid="dpa-download"]')).toBeDisabled();
  await expect(page.locator('[data-testid="dpa-refusal"]')).toBeVisible();
  await page.locator('button[data-testid="org-save"]').click();
  await expect(page.locator('[data-testid="org-status"]')).not.toBeEmpty();
  await expect(name).toHaveValue(legal);

  // A rule broken while typing: said beside the form, Save disabled.
  await page.locator('input[data-testid="org-contact-email"]').fill('not-an-address');
  await expect(page.locator('[data-testid="org-error"]')).not.toBeEmpty();
  await expect(page.locator('button[data-testid="org-save"]')).toBeDisabled();
  await page.locator('input[data-testid="org-contact-email"]').fill('olivia@example.test');

  const link = page.locator('a[data-testid="dpa-download"]');
  await expect(link).toBeVisible();
  const href = await link.getAttribute('href');
  expect(href).toMatch(new RegExp(`^/api/orgs/${org}/dpa\\.pdf\\?lang=`));
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^DPA-Example-Org-Servicios-S-L-.*\d{4}-\d{2}-\d{2}\.pdf$/);
  const file = await download.path();
  const bytes = fs.readFileSync(file!);
  expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
  expect(bytes.length).toBeGreaterThan(10_000);
  // The same link's answer: a PDF, as an attachment.
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/pdf');
  expect(res.headers()['content-disposition']).toMatch(/^attachment/);
});

test('the privacy page lists the one cookie, from the account menu and the sign-in page', async ({ page }) => {
  await signIn(page);
  await openAccountMenu(page);
  await page.locator('a[data-testid="menu-privacy"]').click();
  await expect(page).toHaveURL(/\/privacy$/);
  await expect(page.locator(portalModule)).toHaveCount(1);
  await expect(page.locator('[data-testid="privacy-necessary"]')).toBeVisible();
  const rows = page.locator('[data-testid="cookie-row"]');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('postern_session');
  await expect(rows.first()).toContainText('12');
  // The browser holds exactly that cookie.
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).toEqual(['postern_session']);
  expect(cookies[0].httpOnly).toBe(true);
  expect(cookies[0].sameSite).toBe('Strict');

  // Signed out, the sign-in page's footer reopens it.
  await page.context().clearCookies();
  await page.goto('/login');
  await page.locator('a[data-testid="footer-privacy"]').click();
  await expect(page).toHaveURL(/\/privacy$/);
  await expect(page.locator('[data-testid="cookie-table"]')).toContainText('postern_session');
});
