// The Filters tab (R-SPAM), desktop and phone: the demo owner makes a
// mailbox for herself (so the two projects never share one), switches its
// spam filter off and on again — each change saved and still there after a
// reload —, adds a blocked sender (a bad one is refused with its reason
// first), imports a pasted list and removes an entry.
import { test, expect } from '@playwright/test';
import { deleteByApi, myMailbox, openAdmin } from './helpers';

test('the spam filter switches off and on and a blocked sender is added', async ({ page }) => {
  const org = await openAdmin(page);
  const mb = await myMailbox(page, org, 'e2e-filters');
  try {
    await page.goto(`/settings/${mb.id}/filters`);
    await expect(page.locator('[data-testid="settings-section"][data-section="filters"]')).toBeVisible();
    const toggle = page.locator('input[data-testid="spam-toggle"]');
    await expect(toggle).toBeChecked();
    await expect(toggle).toBeEnabled();

    await toggle.uncheck();
    await expect(page.locator('[data-testid="spam-state"]')).toContainText('Off');
    await expect(page.locator('select[data-testid="spam-folder"]')).toBeDisabled();
    await page.reload();
    await expect(page.locator('input[data-testid="spam-toggle"]')).not.toBeChecked();
    await page.locator('input[data-testid="spam-toggle"]').check();
    await expect(page.locator('[data-testid="spam-state"]')).toContainText('On');
    await page.reload();
    await expect(page.locator('input[data-testid="spam-toggle"]')).toBeChecked();

    const blocked = page.locator('[data-testid="senders-blocked"]');
    const input = blocked.locator('input[data-testid="sender-input-blocked"]');
    await input.fill('not an address');
    await blocked.locator('[data-testid="sender-add-blocked"]').click();
    await expect(blocked.locator('[data-testid="sender-error"]')).toContainText('not allowed');
    await input.fill('Spammer@Bad.example');
    await blocked.locator('[data-testid="sender-add-blocked"]').click();
    await expect(blocked.locator('[data-testid="sender-entry"][data-entry="spammer@bad.example"]')).toHaveCount(1);
    await expect(blocked.locator('[data-testid="sender-error"]')).toHaveCount(0);
    await expect(input).toHaveValue('');

    await blocked.locator('summary').click();
    await blocked.locator('[data-testid="sender-paste-blocked"]').fill('a@list.example, @junk.example\nb@list.example');
    await blocked.locator('[data-testid="sender-import-blocked"]').click();
    await expect(blocked.locator('[data-testid="sender-entry"]')).toHaveCount(4);

    await page.reload();
    const entry = page.locator('[data-testid="senders-blocked"] [data-testid="sender-entry"][data-entry="a@list.example"]');
    await expect(entry).toHaveCount(1);
    await entry.locator('[data-testid="sender-remove"]').click();
    await expect(entry).toHaveCount(0);
    await expect(page.locator('[data-testid="senders-blocked"] [data-testid="sender-entry"]')).toHaveCount(3);
    // The approved list is separate.
    await expect(page.locator('[data-testid="senders-approved"] [data-testid="senders-none"]')).toBeVisible();
    // Nothing overflows a phone's width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    expect(overflow).toBe(false);
  } finally {
    await deleteByApi(page, org, [mb.id]);
  }
});
