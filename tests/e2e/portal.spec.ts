// The portal's settings and administration as the demo owner uses them, on
// a desktop and on a 360 px phone: reached from the webmail's header (a
// page load into the portal's wasm), the address table (search, sort,
// create for nobody, validation naming the character, delete after a
// confirmation), a mailbox's General (renaming it in place) and Users tab
// (give access, toggle a permission).
import { test, expect, type Page } from '@playwright/test';
import {
  DEMO,
  createForNobody,
  deleteByApi,
  demoMailboxId,
  openAccountMenu,
  openAdmin,
  openSection,
  portalModule,
  searchFor,
  signIn,
  uniqueLocal,
} from './helpers';
import { Imap, message, unique } from './imap';

test('the webmail header opens the mailbox settings in the portal', async ({ page }, info) => {
  await signIn(page);
  const mb = await demoMailboxId(page);
  if (info.project.name === 'desktop') {
    await expect(page.locator('a[data-testid="settings-link"]')).toHaveAttribute('href', `/settings/${mb}`);
  }
  await openAccountMenu(page);
  await page.locator('a[data-testid="menu-settings"]').click();
  await expect(page).toHaveURL(new RegExp(`/settings/${mb}$`));
  await expect(page.locator(portalModule)).toHaveCount(1);
  await expect(page.locator('[data-testid="settings-address"]')).toHaveText(DEMO.mailbox);
  await expect(page.locator('[data-testid="mailbox-facts"]')).toContainText(DEMO.mailbox);
  await expect(page.locator('textarea[data-testid="signature-text"]')).toBeEnabled();

  // And back to the mail: the webmail again.
  await page.locator('a[data-testid="back-to-mail"]').click();
  await expect(page.locator('[data-testid="message-list"]')).toBeVisible();
});

test('every header control is on screen, and the reader actions are one row', async ({ page }) => {
  // A message of its own to open: opening marks it read, and the newest of
  // the shared inbox may be another test's unread one.
  const subject = unique('Reader layout');
  const imap = await Imap.login(DEMO.mailbox);
  const uid = await imap.append('INBOX', message({ subject }));
  await imap.logout();
  await signIn(page);
  const width = page.viewportSize()!.width;
  const controls = ['mailbox-switcher', 'compose', 'transfer-link', 'account-menu'];
  for (const id of controls) {
    const box = await page.locator(`header.app-header [data-testid="${id}"]`).boundingBox();
    expect(box, id).not.toBeNull();
    expect(box!.x, id).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, id).toBeLessThanOrEqual(width);
  }

  await searchFor(page, subject);
  await page.locator(`[data-testid="message-row"][data-uid="${uid}"] a.open`).click();
  const toolbar = page.locator('article[data-testid="reader"] .reader-toolbar');
  await expect(toolbar).toBeVisible();
  const tops = new Set<number>();
  for (const id of ['back', 'reply', 'reply-all', 'forward', 'star', 'reader-mark-unread', 'reader-delete']) {
    const button = toolbar.locator(`[data-testid="${id}"]`);
    await expect(button).toBeInViewport();
    // Icons, named for screen readers and on hover.
    if (id !== 'back' && id !== 'star') await expect(button).toHaveAttribute('aria-label', /\S/);
    tops.add(Math.round((await button.boundingBox())!.y));
  }
  expect(tops.size, 'one row of actions').toBe(1);

  await openAccountMenu(page);
  await expect(page.locator('[data-testid="account-panel"] select[data-testid="language"]')).toBeInViewport();
  const signOut = page.locator('button[data-testid="sign-out"]');
  await expect(signOut).toBeInViewport();
  await signOut.click();
  await expect(page.locator('#login')).toBeVisible();
});

test('the address table searches, sorts, creates for nobody, names a refused character, deletes after confirming', async ({
  page,
}) => {
  await openAdmin(page);
  const rows = page.locator('[data-testid="address-row"]');

  // Search as you type: by address, display name, user.
  const search = page.locator('input[data-testid="address-search"]');
  await search.fill('TEAM@');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-address', 'team@example.test');
  await search.fill('Umar');
  // Umar's own mailbox, the team he uses, the sales redirect to him.
  const byAddress = (a: string) => page.locator(`[data-testid="address-row"][data-address="${a}"]`);
  await expect(byAddress('umar@example.test')).toHaveCount(1);
  await expect(byAddress('team@example.test')).toHaveCount(1);
  await expect(byAddress('olivia@example.test')).toHaveCount(0);
  await search.fill('');

  // Sort by address, both ways.
  const sort = page.locator('button[data-testid="sort-address"]');
  const addresses = async () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-address') ?? ''));
  const asc = await addresses();
  expect(asc).toEqual([...asc].sort());
  await sort.click();
  await expect(page.locator('th[aria-sort="descending"]')).toHaveCount(1);
  expect(await addresses()).toEqual([...asc].reverse());
  await sort.click();
  await expect(page.locator('th[aria-sort="ascending"]')).toHaveCount(1);

  // R-ADDR-1 as typed: the message names the character; Create stays off.
  await page.locator('[data-testid="create-toggle"]').click();
  const local = page.locator('input[data-testid="new-local-part"]');
  await local.fill('bad$name');
  await expect(page.locator('[data-testid="new-local-error"]')).toContainText('“$” is not allowed in an address');
  await expect(local).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('button[data-testid="create-submit"]')).toBeDisabled();

  const address = await createForNobody(page, uniqueLocal('e2e-nobody'));
  const row = page.locator(`[data-testid="address-row"][data-address="${address}"]`);
  await expect(row.locator('[data-testid="address-kind"]')).toHaveAttribute('data-kind', 'mailbox');
  await expect(row.locator('[data-testid="address-users"]')).toHaveText('');

  // Delete: the confirmation names what goes; cancelling keeps it.
  await row.locator('input[data-testid="select-address"]').check();
  await expect(page.locator('[data-testid="selected-count"]')).toContainText('1');
  await page.locator('button[data-testid="delete-addresses"]').click();
  const dialog = page.locator('[data-testid="delete-dialog"]');
  await expect(dialog).toBeVisible();
  await expect(dialog.locator('[data-testid="delete-list"]')).toHaveText(address);
  await expect(dialog).toContainText('for good');
  await expect(dialog).toContainText('device passwords');
  await dialog.locator('button[data-testid="delete-cancel"]').click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(1);

  await page.locator('button[data-testid="delete-addresses"]').click();
  await dialog.locator('button[data-testid="delete-confirm"]').click();
  await expect(dialog).toHaveCount(0);
  await expect(row).toHaveCount(0);
  await page.reload();
  await expect(rows.first()).toBeVisible();
  await expect(page.locator(`[data-testid="address-row"][data-address="${address}"]`)).toHaveCount(0);
});

test("a mailbox's Users tab gives a member access and toggles a permission", async ({ page }) => {
  const org = await openAdmin(page);
  const address = await createForNobody(page, uniqueLocal('e2e-users'));
  await page.locator(`[data-testid="address-row"][data-address="${address}"] a[data-testid="address-link"]`).click();
  await expect(page).toHaveURL(/\/settings\/\d+$/);
  const id = Number(/\/settings\/(\d+)/.exec(page.url())![1]);
  // The owner administers it without a grant: settings found through the table.
  await expect(page.locator('[data-testid="settings-address"]')).toHaveText(address);
  await expect(page.locator('[data-testid="signature-unavailable"]')).toBeVisible();

  await openSection(page, 'users');
  await expect(page.locator('[data-testid="no-users"]')).toBeVisible();
  const select = page.locator('select[data-testid="member-select"]');
  const umar = await select.locator('option', { hasText: 'umar@example.test' }).getAttribute('value');
  await select.selectOption(umar!);
  await page.locator('button[data-testid="add-member-submit"]').click();
  const user = page.locator('[data-testid="user-row"][data-login="umar@example.test"]');
  await expect(user).toBeVisible();
  const filters = user.locator('input[data-permission="manage_filters"]');
  await expect(user.locator('input[data-permission="read"]')).toBeChecked();
  await expect(filters).not.toBeChecked();

  await filters.check();
  await expect(filters).toBeChecked();
  await expect(page.locator('[data-testid="error"]')).toHaveCount(0);
  await page.reload();
  await expect(user.locator('input[data-permission="manage_filters"]')).toBeChecked();

  await user.locator('input[data-permission="send"]').uncheck();
  await page.reload();
  await expect(user.locator('input[data-permission="send"]')).not.toBeChecked();
  await expect(user.locator('input[data-permission="manage_filters"]')).toBeChecked();

  await user.locator('button[data-testid="remove-access"]').click();
  await expect(user).toHaveCount(0);
  await expect(page.locator('[data-testid="no-users"]')).toBeVisible();

  await deleteByApi(page, org, [id]);
});

test('General renames a mailbox in place: its rule said as typed, Enter saves, the name is there after a reload', async ({
  page,
}) => {
  const org = await openAdmin(page);
  const address = await createForNobody(page, uniqueLocal('e2e-rename'));
  await page.locator(`[data-testid="address-row"][data-address="${address}"] a[data-testid="address-link"]`).click();
  await expect(page).toHaveURL(/\/settings\/\d+$/);
  const id = Number(/\/settings\/(\d+)/.exec(page.url())![1]);

  // The owner may: an enabled field, no reason shown, nothing to save yet.
  const name = page.locator('input[data-testid="display-name"]');
  const save = page.locator('button[data-testid="display-name-save"]');
  const error = page.locator('[data-testid="display-name-error"]');
  await expect(name).toBeEnabled();
  await expect(name).toHaveValue('');
  await expect(save).toBeDisabled();
  await expect(page.locator('[data-testid="display-name-refusal"]')).toHaveCount(0);

  // Over the limit: said beside the field, Save stays off.
  await name.fill('x'.repeat(201));
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(error).toContainText('200');
  await expect(save).toBeDisabled();

  const renamed = `Renamed ${Date.now().toString(36)}`;
  await name.fill(`  ${renamed} `);
  await expect(error).toBeEmpty();
  await expect(save).toBeEnabled();
  await name.press('Enter');
  await expect(page.locator('[data-testid="display-name-status"]')).toHaveText('Saved.');
  await expect(name).toHaveValue(renamed); // as the server keeps it: trimmed
  await expect(save).toBeDisabled();

  await page.reload();
  await expect(page.locator('[data-testid="settings-address"]')).toHaveText(address);
  await expect(page.locator('input[data-testid="display-name"]')).toHaveValue(renamed);
  // And in the administration's table.
  await page.goto(`/admin/${org}/addresses`);
  await expect(page.locator(`[data-testid="address-row"][data-address="${address}"]`)).toContainText(renamed);

  await deleteByApi(page, org, [id]);
});
