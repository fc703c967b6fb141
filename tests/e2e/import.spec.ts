// Bulk creation from a CSV file (R-ADDR-4) as the demo owner does it, on a
// desktop and on a 360 px phone: a file of three rows, one of them wrong —
// the preview shows that row's own error and Create all stays off; the
// file corrected, previewed again and created (a double click creates
// once); the three addresses are in the table. Cleaned up through the API.
import { test, expect, type Page } from '@playwright/test';
import { signIn } from './helpers';

const DOMAIN = 'example.test';

/** A prefix of our own for this run's addresses, valid under R-ADDR-1. */
function uniquePrefix(): string {
  return `e2e-imp-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** Signs in and opens the first administered organisation's addresses. */
async function openAddresses(page: Page): Promise<number> {
  await signIn(page);
  await page.goto('/admin');
  await expect(page).toHaveURL(/\/admin\/\d+\/addresses$/);
  await expect(page.locator('[data-testid="address-row"]').first()).toBeVisible();
  return Number(/\/admin\/(\d+)\//.exec(page.url())![1]);
}

async function pickFile(page: Page, csv: string): Promise<void> {
  await page.locator('input[data-testid="import-file"]').setInputFiles({
    name: 'addresses.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf-8'),
  });
}

/** Deletes this run's addresses through the API, with the page's session. */
async function cleanUp(page: Page, org: number, prefix: string): Promise<void> {
  const list = await page.request.get(`/api/orgs/${org}/addresses`);
  if (!list.ok()) return;
  const ids = ((await list.json()).addresses as { id: number; address: string }[])
    .filter((a) => a.address.startsWith(prefix))
    .map((a) => a.id);
  if (ids.length === 0) return;
  const session = await (await page.request.get('/api/session')).json();
  const res = await page.request.post(`/api/orgs/${org}/addresses/delete`, {
    headers: { 'X-CSRF-Token': session.csrf_token },
    data: { ids },
  });
  expect(res.ok()).toBeTruthy();
}

test('a CSV file with a wrong row is previewed with its error, corrected, and created at once', async ({ page }, info) => {
  const org = await openAddresses(page);
  const prefix = uniquePrefix();
  const a = `${prefix}-a@${DOMAIN}`;
  const b = `${prefix}-b@${DOMAIN}`;
  const c = `${prefix}-c@${DOMAIN}`;
  const header = 'address,display_name,kind,users,invite,redirect_to';
  // Line 4 is a redirect without anywhere to forward to.
  const wrong = [header, `${a},Import A,mailbox,,,`, `${b},,no_reply,,,`, `${c},Import C,redirect,,,`].join('\n') + '\n';
  const right = [header, `${a},Import A,mailbox,,,`, `${b},,no_reply,,,`, `${c},Import C,redirect,,,olivia@${DOMAIN}`].join('\n') + '\n';

  try {
    // The panel: the documented header, before any file.
    await page.locator('button[data-testid="import-open"]').click();
    const panel = page.locator('[data-testid="import-panel"]');
    await expect(panel).toBeVisible();
    await expect(panel.locator('[data-testid="import-header"]')).toHaveText(header);
    const preview = panel.locator('button[data-testid="import-preview"]');
    const create = panel.locator('button[data-testid="import-create"]');
    await expect(preview).toBeDisabled();
    await expect(create).toBeDisabled();

    // The wrong file: read and checked here, then previewed by the server.
    await pickFile(page, wrong);
    await expect(panel.locator('[data-testid="import-file-rows"]')).toContainText('3 row');
    await expect(panel.locator('[data-testid="import-file-error"]')).toBeEmpty();
    await preview.click();
    const rows = panel.locator('[data-testid="import-row"]');
    await expect(rows).toHaveCount(3);
    await expect(panel.locator('[data-testid="import-totals"]')).toHaveText('3 row(s): 2 ready, 1 with errors.');
    const bad = panel.locator('[data-testid="import-row"][data-line="4"]');
    await expect(bad).toHaveAttribute('data-valid', 'false');
    await expect(bad.locator('[data-testid="import-row-errors"]')).toContainText(
      'A redirect needs at least one address to forward to.',
    );
    for (const line of ['2', '3']) {
      await expect(panel.locator(`[data-testid="import-row"][data-line="${line}"]`)).toHaveAttribute('data-valid', 'true');
    }
    await expect(create).toBeDisabled();
    await expect(page.locator(`[data-testid="address-row"][data-address="${a}"]`)).toHaveCount(0);

    // On a phone the preview is a list of cards inside the screen.
    if (info.project.name === 'phone') {
      const width = page.viewportSize()!.width;
      const box = await panel.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(width + 1);
      const card = await bad.boundingBox();
      expect(card!.x + card!.width).toBeLessThanOrEqual(width + 1);
    }

    // Corrected: a new file drops the old preview; previewed again, all ready.
    await pickFile(page, right);
    await expect(rows).toHaveCount(0);
    await expect(create).toBeDisabled();
    await expect(panel.locator('[data-testid="import-file-rows"]')).toContainText('3 row');
    await preview.click();
    await expect(panel.locator('[data-testid="import-totals"]')).toHaveText('3 row(s): 3 ready, 0 with errors.');
    await expect(panel.locator('[data-testid="import-row"][data-valid="false"]')).toHaveCount(0);
    await expect(create).toBeEnabled();

    // All or nothing, and once: the button is off while the request is on its way.
    await create.dblclick();
    await expect(panel.locator('[data-testid="import-status"]')).toHaveText('3 address(es) created.');
    await expect(page.locator('[data-testid="error"]')).toHaveCount(0);
    await expect(create).toBeDisabled();
    for (const address of [a, b, c]) {
      await expect(page.locator(`[data-testid="address-row"][data-address="${address}"]`)).toHaveCount(1);
    }
    await expect(
      page.locator(`[data-testid="address-row"][data-address="${b}"] [data-testid="address-kind"]`),
    ).toHaveAttribute('data-kind', 'no_reply');
    await expect(
      page.locator(`[data-testid="address-row"][data-address="${c}"] [data-testid="address-kind"]`),
    ).toContainText(`olivia@${DOMAIN}`);

    // From the server, not only on the page.
    await page.reload();
    await expect(page.locator('[data-testid="address-row"]').first()).toBeVisible();
    for (const address of [a, b, c]) {
      await expect(page.locator(`[data-testid="address-row"][data-address="${address}"]`)).toHaveCount(1);
    }
  } finally {
    await cleanUp(page, org, prefix);
  }
});
