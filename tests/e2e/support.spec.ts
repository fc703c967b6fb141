// Support access (R-SUP), desktop and phone: a user of a mailbox switches
// support access on in the account page and sees the time left (7 days),
// then switches it off. Each test has an account and mailbox of its own
// (an invitation link of the demo owner), so the two projects never share
// a grant.
import { test, expect, type APIRequestContext } from '@playwright/test';
import { DEMO, portalModule, uniqueLocal } from './helpers';

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

test('support access: switched on with 7 days left, then off', async ({ page, browser }) => {
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
  await kind.locator('[data-testid="support-switch-off"]').click();
  await expect(kind).toHaveAttribute('data-on', 'false');
  await expect(kind.locator('[data-testid="support-time-left"]')).toHaveCount(0);
  await other.close();
  await cleanUp();
});
