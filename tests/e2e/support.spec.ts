// Support access (R-SUP), desktop and phone: a user of a mailbox switches
// support access on in the account page and sees the time left (7 days);
// support staff sign in, find the grant with its time left, open a folder
// and read a message (read-only, never marked read) and an HTML one (its
// sanitised body in the webmail's sandboxed frame, remote images blocked
// until asked); the user sees the reads in the history and switches
// access off, and the staff page says the access has ended. Each test has an account and mailbox of its own
// (an invitation link of the demo owner), so the two projects never share
// a grant or a message.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { DEMO, portalModule, uniqueLocal } from './helpers';
import { Imap, message, unique } from './imap';

/** The support staff member the stack seeds (`gateway/src/seed/demo.rs`). */
const STAFF = { login: 'support@postern.test', password: DEMO.password };

/** With the demo owner's session in `req`: a mailbox for nobody and an
 * invitation link to it (read). Answers the link's token, the address and
 * a clean-up. */
async function invitation(req: APIRequestContext): Promise<{ token: string; address: string; cleanUp: () => Promise<void> }> {
  expect((await req.post('/api/session', { data: { login: DEMO.login, password: DEMO.password } })).ok()).toBeTruthy();
  const csrf = (await (await req.get('/api/session')).json()).csrf_token;
  const headers = { 'X-CSRF-Token': csrf };
  const me = await (await req.get('/api/me')).json();
  const org = me.organizations[0].id;
  const table = await (await req.get(`/api/orgs/${org}/addresses`)).json();
  const made = await req.post(`/api/orgs/${org}/addresses`, {
    headers,
    data: { local_part: uniqueLocal('e2e-sup'), domain: table.domains[0].id, kind: 'mailbox' },
  });
  expect(made.ok(), await made.text()).toBeTruthy();
  const row = (await made.json()).address;
  const inv = await req.post(`/api/orgs/${org}/addresses/${row.id}/invitations`, {
    headers,
    data: { permissions: ['read'] },
  });
  expect(inv.ok(), await inv.text()).toBeTruthy();
  const link: string = (await inv.json()).link;
  return {
    token: link.split('/').pop()!,
    address: row.address,
    cleanUp: async () => {
      const res = await req.post(`/api/orgs/${org}/addresses/delete`, { headers, data: { ids: [row.id] } });
      expect(res.ok()).toBeTruthy();
    },
  };
}

/** Opens folder `path` of the open grant: its link beside the list on a
 * desktop, the select on a phone. */
async function openFolder(page: Page, path: string): Promise<void> {
  const link = page.locator(`a[data-testid="staff-folder"][data-path="${path}"]`);
  const select = page.locator('select[data-testid="staff-folder-select"]');
  // The folders are here (the select's options come with the list's links).
  await expect(select.locator(`option[value="${path}"]`)).toBeAttached();
  if (await link.isVisible()) {
    await link.click();
  } else {
    await select.selectOption(path);
  }
  await expect(page).toHaveURL(new RegExp(`/account/support/[0-9a-f]+/${encodeURIComponent(path)}$`));
}

test('support access: switched on, staff read the mailbox with the time left, then off and ended', async ({ page, browser }) => {
  const { token, address, cleanUp } = await invitation(page.request);
  const other = await browser.newContext({ viewport: page.viewportSize()!, isMobile: page.viewportSize()!.width < 400 });
  const guest = await other.newPage();
  const signUp = await guest.request.post(`/api/invitations/${token}/account`, {
    data: { login: `${uniqueLocal('e2e-sup')}@login.test`, password: 'a-long-enough-password', display_name: 'Support Asker' },
  });
  expect(signUp.ok(), await signUp.text()).toBeTruthy();
  const accepted = await guest.request.post(`/api/invitations/${token}/accept`, {
    headers: { 'X-CSRF-Token': (await (await guest.request.get('/api/session')).json()).csrf_token },
    data: { organization: { kind: 'new', name: 'Support asker home' } },
  });
  expect(accepted.ok(), await accepted.text()).toBeTruthy();

  await guest.goto('/account/security');
  await expect(guest.locator(portalModule)).toHaveCount(1);
  const section = guest.locator('[data-testid="support-access"]');
  await expect(section.locator('[data-testid="support-mailbox"] option:checked')).toHaveText(address);
  const kind = section.locator('[data-testid="support-kind-mailbox_contents"]');
  await expect(kind).toHaveAttribute('data-on', 'false');
  await expect(section.locator('[data-testid="support-history-empty"]')).toBeVisible();

  await kind.locator('[data-testid="support-switch-on"]').click();
  await expect(kind).toHaveAttribute('data-on', 'true');
  await expect(kind.locator('[data-testid="support-time-left"]')).toContainText('7 d 0 h');

  // Still on after a reload: the server keeps it.
  await guest.reload();
  await expect(kind).toHaveAttribute('data-on', 'true');

  // A message of this mailbox's own, for support to read.
  const subject = unique('Cannot open my invoice');
  const body = `The PDF of invoice ${uniqueLocal('n')} says it is damaged.`;
  const imap = await Imap.login(address);
  const staffContext = await browser.newContext({ viewport: page.viewportSize()!, isMobile: page.viewportSize()!.width < 400 });
  try {
    const uid = await imap.append('INBOX', message({ subject, to: address, text: body }));
    const htmlSubject = unique('Newsletter looks broken');
    const formatted = `Spring sale ${uniqueLocal('n')}`;
    const htmlUid = await imap.append(
      'INBOX',
      message({
        subject: htmlSubject,
        to: address,
        html:
          `<html><body><h1>${formatted}</h1><p>Only <b>bold</b> here.</p>` +
          `<script>document.title = 'ran'</script>` +
          `<img alt="tracker" src="https://tracker.invalid/pixel.gif"></body></html>`,
      }),
    );

    // Staff sign in and land on the grants in force, this one among them.
    const staff = await staffContext.newPage();
    await staff.goto('/login');
    const form = staff.locator('#login');
    await form.locator('input[name="login"]').fill(STAFF.login);
    await form.locator('input[name="password"]').fill(STAFF.password);
    await form.locator('button[type="submit"]').click();
    await expect(staff).toHaveURL(/\/account\/support$/);
    await expect(staff.locator(portalModule)).toHaveCount(1);
    const grant = staff.locator(`[data-testid="staff-grant"][data-address="${address}"]`);
    await expect(grant.locator('[data-testid="staff-time-left"]')).toContainText('7 d 0 h');
    await expect(grant.locator('[data-testid="staff-granted-by"]')).toContainText('Support Asker');
    await expect(grant.locator('[data-testid="staff-scope"]')).toContainText('Mailbox contents');

    // The mailbox opens on its inbox; another folder, then the inbox again.
    await grant.locator('[data-testid="staff-open"]').click();
    await expect(staff).toHaveURL(/\/account\/support\/[0-9a-f]+\/INBOX$/);
    await expect(staff.locator('[data-testid="staff-grant-open"]')).toContainText(address);
    await openFolder(staff, 'Sent');
    await expect(staff.locator('[data-testid="staff-empty"]')).toBeVisible();
    await openFolder(staff, 'INBOX');
    const row = staff.locator(`[data-testid="staff-message-row"][data-uid="${uid}"]`);
    await expect(row).toContainText(subject);

    // The message, read-only: its subject and text, and no control at all.
    await row.locator('a.open').click();
    const reader = staff.locator('[data-testid="staff-reader"]');
    await expect(reader.locator('[data-testid="reader-subject"]')).toHaveText(subject);
    await expect(reader.locator('[data-testid="message-text"]')).toContainText(body);
    await expect(reader.locator('[data-testid="staff-read-only"]')).toBeVisible();
    await expect(reader.locator('button, select, input')).toHaveCount(0);
    // Reading did not mark it read for its user.
    expect(await imap.flags('INBOX', uid)).not.toContain('\\Seen');

    // An HTML message: its formatted body in the webmail reader's sandboxed
    // frame (no "shown as text" notice), sanitised, remote images blocked.
    await reader.locator('[data-testid="back"]').click();
    await staff.locator(`[data-testid="staff-message-row"][data-uid="${htmlUid}"] a.open`).click();
    await expect(reader.locator('[data-testid="reader-subject"]')).toHaveText(htmlSubject);
    const iframe = reader.locator('iframe[data-testid="message-html"]');
    await expect(iframe).toHaveAttribute('sandbox', 'allow-same-origin allow-popups allow-popups-to-escape-sandbox');
    await expect(iframe).toHaveAttribute('src', new RegExp(`^/api/support/access/[0-9a-f]+/messages/${htmlUid}/body\\.html\\?folder=INBOX$`));
    const frame = staff.frameLocator('iframe[data-testid="message-html"]');
    await expect(frame.locator('h1')).toHaveText(formatted);
    await expect(frame.locator('b')).toHaveText('bold');
    await expect(frame.locator('script')).toHaveCount(0);
    await expect(frame.locator('img[src^="https://tracker.invalid"]')).toHaveCount(0);
    await expect(reader.locator('[data-testid="message-text"]')).toHaveCount(0);
    await expect(reader.locator('[data-testid="staff-as-text"]')).toHaveCount(0);
    // The reader's one choice, which changes nothing in the mailbox.
    await expect(reader.locator('[data-testid="show-images"]')).toBeVisible();
    expect(await imap.flags('INBOX', htmlUid)).not.toContain('\\Seen');

    // The user sees what support read, then switches access off.
    await guest.reload();
    await expect(section.locator('[data-testid="support-history-row"]').first()).toContainText(STAFF.login);
    await kind.locator('[data-testid="support-switch-off"]').click();
    await expect(kind).toHaveAttribute('data-on', 'false');
    await expect(kind.locator('[data-testid="support-time-left"]')).toHaveCount(0);

    // Staff's next read is refused: the page says the access has ended and
    // is back on the list, without this grant.
    await reader.locator('[data-testid="back"]').click();
    await expect(staff.locator('[data-testid="staff-ended"]')).toBeVisible();
    await expect(staff).toHaveURL(/\/account\/support\?ended=1$/);
    await expect(staff.locator('[data-testid="staff-grants"]')).toBeVisible();
    await expect(grant).toHaveCount(0);
  } finally {
    await imap.logout();
    await staffContext.close();
    await other.close();
  }
  await cleanUp();
});
