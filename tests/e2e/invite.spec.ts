// Sharing a mailbox by invitation, as two people do it, on a desktop and on
// a 360 px phone: the demo owner creates an address and invites someone in
// its Users tab (a link to hand over); in a second browser context — another
// person, no account — the link's page creates an account, picks a new
// organisation, accepts, and lands in that mailbox in the webmail. The used
// link then says so; the owner sees the new user. The second test makes
// the invitation with the address itself (R-ADDR-2 (b): a link for a new user).
import { test, expect, type Page } from '@playwright/test';
import { DOMAIN, createForNobody, deleteByApi, openAdmin, openSection, uniqueLocal } from './helpers';

/** In `guest` (a browser without an account): follows `link`, creates an
 * account, accepts into a new organisation and lands in mailbox `id`'s
 * webmail. Answers the new login. */
async function acceptAsNewAccount(guest: Page, link: string, address: string, id: number): Promise<string> {
  await guest.goto(new URL(link).pathname);
  await expect(guest.locator('[data-testid="invite-page"]')).toBeVisible();
  await expect(guest.locator('.invite-address')).toHaveText(address);
  const door = guest.locator('form[data-testid="invite-door"]');
  const login = `${uniqueLocal('e2e-invitee')}@login.test`;
  await door.locator('input[name="login"]').fill(login);
  await door.locator('input[name="display_name"]').fill('Invited Person');
  await door.locator('input[name="password"]').fill('a-long-enough-password');
  await door.locator('button[type="submit"]').click();

  await expect(guest.locator('[data-testid="invite-signed-in"]')).toContainText(login);
  const accept = guest.locator('form[data-testid="invite-accept"]');
  // A new account has no organisation yet: a new one is the choice.
  await accept.locator('input[name="organization_name"]').fill('Invitee home');
  await accept.locator('button[type="submit"]').click();
  await expect(guest).toHaveURL(new RegExp(`/mail/${id}/INBOX`));
  // The shared mailbox is new and empty: its (empty) list is there.
  await expect(guest.locator('[data-testid="message-list"]')).toBeAttached();
  await expect(guest.locator('select[data-testid="mailbox-switcher"] option', { hasText: address })).toHaveCount(1);
  return login;
}

test('an invitation link creates an account, is accepted, and opens the mailbox in the webmail', async ({
  page,
  browser,
}) => {
  const org = await openAdmin(page);
  const address = await createForNobody(page, uniqueLocal('e2e-shared'));
  await page.locator(`[data-testid="address-row"][data-address="${address}"] a[data-testid="address-link"]`).click();
  await expect(page).toHaveURL(/\/settings\/\d+$/);
  const id = Number(/\/settings\/(\d+)/.exec(page.url())![1]);
  await openSection(page, 'users');

  // No email: a link to copy, shown once, listed as pending.
  const form = page.locator('[data-testid="invite-form"]');
  await expect(form.locator('[data-testid="invite-blocked"]')).toHaveCount(0);
  await form.locator('button[data-testid="invite-submit"]').dblclick();
  const linkField = form.locator('[data-testid="invite-link"] input');
  await expect(linkField).toHaveValue(/\/invite\/[0-9a-f]{64}$/);
  const link = await linkField.inputValue();
  await expect(page.locator('[data-testid="pending-invitation"]')).toHaveCount(1);

  // Someone else, in a browser of their own.
  const other = await browser.newContext({ viewport: page.viewportSize()! });
  const guest = await other.newPage();
  const login = await acceptAsNewAccount(guest, link, address, id);
  const me = await (await guest.request.get('/api/me')).json();
  const shared = me.mailboxes.find((m: { id: number }) => m.id === id);
  expect(shared, 'the mailbox is in the invitee webmail').toBeTruthy();
  expect(shared.permissions).toEqual(['read', 'send']);

  // The link is spent.
  await guest.goto(new URL(link).pathname);
  await expect(guest.locator('[data-testid="invite-unusable"]')).toContainText('already been accepted');
  await other.close();

  // The owner's Users tab lists the new user, no pending invitation.
  await page.reload();
  await expect(page.locator('[data-testid="pending-invitation"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="settings-section"]')).toContainText(login);
  await deleteByApi(page, org, [id]);
});

test('an address created for several users hands out a link for a new user, which opens it in their webmail', async ({
  page,
  browser,
}) => {
  const org = await openAdmin(page);
  const local = uniqueLocal('e2e-team');
  const address = `${local}@${DOMAIN}`;
  const box = page.locator('details[data-testid="create-box"]');
  if ((await box.getAttribute('open')) === null) await page.locator('[data-testid="create-toggle"]').click();
  await page.locator('input[data-testid="new-local-part"]').fill(local);
  await page.locator('input[data-testid="kind-mailbox"]').check();
  await page.locator('input[data-testid="mode-members"]').check();
  const create = page.locator('button[data-testid="create-submit"]');
  // Nobody chosen yet: Create waits, and says why.
  await expect(create).toBeDisabled();
  await page.locator('[data-testid="create-invite-add-email"]').click();
  // An invitation by email without its address cannot go either.
  await expect(create).toBeDisabled();
  await page.locator('[data-testid="create-invite-remove"]').click();
  await page.locator('[data-testid="create-invite-add-link"]').click();
  await expect(page.locator('[data-testid="create-invite-link-row"]')).toHaveCount(1);
  await create.dblclick();
  await expect(page.locator('[data-testid="create-status"]')).toContainText(address);
  const linkField = page.locator('[data-testid="created-invitations"] [data-testid="invite-link"] input');
  await expect(linkField).toHaveValue(/\/invite\/[0-9a-f]{64}$/);
  const link = await linkField.inputValue();
  const row = page.locator(`[data-testid="address-row"][data-address="${address}"]`);
  await expect(row).toHaveCount(1);
  const href = await row.locator('a[data-testid="address-link"]').getAttribute('href');
  const id = Number(/\/settings\/(\d+)/.exec(href!)![1]);

  const other = await browser.newContext({ viewport: page.viewportSize()! });
  const guest = await other.newPage();
  await acceptAsNewAccount(guest, link, address, id);
  await other.close();
  await deleteByApi(page, org, [id]);
});
