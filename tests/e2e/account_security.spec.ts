// Account security (R-ID-1), desktop and phone. Each test has an account of
// its own (made through an invitation link of the demo owner, so enrolling
// two-factor sign-in never touches the account other specs sign in with):
// it enrols in the browser — the QR code is drawn, the key is read from the
// page and this test computes the codes with node's crypto, like an
// authenticator app —, keeps its recovery codes, signs out, and signs in
// again with the password and a code. The demo owner reaches the page from
// the webmail's account menu and sees this browser's session marked.
import { test, expect, type APIRequestContext, type Page } from '@playwright/test';
import { createHmac } from 'node:crypto';
import { DEMO, openAccountMenu, portalModule, signIn, uniqueLocal } from './helpers';

function base32Decode(s: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of s.replace(/\s+/g, '').toUpperCase()) {
    buffer = (buffer << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** RFC 6238: HMAC-SHA-1 over the 30-second step, six digits. */
function totp(secret: Buffer, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', secret).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  const bin = h.readUInt32BE(o) & 0x7fffffff;
  return String(bin % 1_000_000).padStart(6, '0');
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

/** With the demo owner's session in `req`: an address for nobody and an
 * invitation link to it, for a new account. Answers the link's token and
 * a clean-up. */
async function invitation(req: APIRequestContext): Promise<{ token: string; cleanUp: () => Promise<void> }> {
  expect((await req.post('/api/session', { data: { login: DEMO.login, password: DEMO.password } })).ok()).toBeTruthy();
  const csrf = (await (await req.get('/api/session')).json()).csrf_token;
  const headers = { 'X-CSRF-Token': csrf };
  const me = await (await req.get('/api/me')).json();
  const org = me.organizations[0].id;
  const table = await (await req.get(`/api/orgs/${org}/addresses`)).json();
  const made = await req.post(`/api/orgs/${org}/addresses`, {
    headers,
    data: { local_part: uniqueLocal('e2e-2fa'), domain: table.domains[0].id, kind: 'mailbox' },
  });
  expect(made.ok(), await made.text()).toBeTruthy();
  const addr = (await made.json()).address.id;
  const inv = await req.post(`/api/orgs/${org}/addresses/${addr}/invitations`, {
    headers,
    data: { permissions: ['read'] },
  });
  expect(inv.ok(), await inv.text()).toBeTruthy();
  const link: string = (await inv.json()).link;
  return {
    token: link.split('/').pop()!,
    cleanUp: async () => {
      const res = await req.post(`/api/orgs/${org}/addresses/delete`, { headers, data: { ids: [addr] } });
      expect(res.ok()).toBeTruthy();
    },
  };
}

async function signInWithCode(page: Page, login: string, password: string, code: string): Promise<void> {
  const form = page.locator('#login');
  await expect(form).toBeVisible();
  await form.locator('input[name="login"]').fill(login);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
  const field = form.locator('input[data-testid="login-code"]');
  await expect(field).toBeVisible();
  await field.fill(code);
  await form.locator('button[type="submit"]').click();
}

test('two-factor sign-in: enrol with the shown key, sign out, sign in with a code', async ({ page, browser }) => {
  const { token, cleanUp } = await invitation(page.request);
  const other = await browser.newContext({ viewport: page.viewportSize()!, isMobile: page.viewportSize()!.width < 400 });
  const guest = await other.newPage();
  const login = `${uniqueLocal('e2e-2fa')}@login.test`;
  const password = 'a-long-enough-password';
  const signUp = await guest.request.post(`/api/invitations/${token}/account`, {
    data: { login, password, display_name: 'Two Factor' },
  });
  expect(signUp.ok(), await signUp.text()).toBeTruthy();

  await guest.goto('/account/security');
  await expect(guest.locator(portalModule)).toHaveCount(1);
  const section = guest.locator('[data-testid="two-factor"]');
  await expect(section.locator('[data-testid="two-factor-off"]')).toBeVisible();
  await section.locator('[data-testid="totp-password"]').fill(password);
  await section.locator('[data-testid="totp-start-submit"]').click();

  await expect(section.locator('[data-testid="totp-qr"]')).toBeVisible();
  const shown = (await section.locator('[data-testid="totp-secret"]').textContent())!.trim();
  expect(shown).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
  await other.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
  await section.locator('[data-testid="totp-copy"]').click();
  await expect(section.locator('[data-testid="totp-copy"]')).not.toHaveText(/^Copy$/);
  const secret = base32Decode(shown);
  expect(secret.length).toBe(20);

  const enrolStep = stepNow();
  await section.locator('[data-testid="totp-code"]').fill(totp(secret, enrolStep));
  await section.locator('[data-testid="totp-confirm-submit"]').click();
  const codes = guest.locator('[data-testid="recovery-codes"]');
  await expect(codes).toBeVisible();
  await expect(codes.locator('[data-testid="recovery-code"]')).toHaveCount(10);
  await codes.locator('[data-testid="recovery-codes-done"]').click();
  await expect(codes).toHaveCount(0);
  await expect(section.locator('[data-testid="two-factor-on"]')).toContainText('10');
  // This browser's session is listed and marked.
  await expect(guest.locator('[data-testid="session-row"][data-current="true"]')).toHaveCount(1);

  // Sign out from the account menu, then back in: the code is asked.
  await openAccountMenu(guest);
  await expect(guest.locator('a[data-testid="menu-security"]')).toHaveAttribute('href', '/account/security');
  await guest.locator('button[data-testid="sign-out"]').click();
  await expect(guest).toHaveURL(/\/login/);
  await guest.goto('/login?next=%2Faccount%2Fsecurity');
  // The enrolment's step is spent: the next one (the server accepts one
  // step ahead).
  const step = Math.max(stepNow(), enrolStep + 1);
  await signInWithCode(guest, login, password, totp(secret, step));
  await expect(guest).toHaveURL(/\/account\/security$/);
  await expect(guest.locator('[data-testid="two-factor-on"]')).toBeVisible();
  await other.close();
  await cleanUp();
});

test('the webmail account menu opens the account security page with this session marked', async ({ page }) => {
  await signIn(page);
  await openAccountMenu(page);
  await page.locator('a[data-testid="menu-security"]').click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.locator(portalModule)).toHaveCount(1);
  const current = page.locator('[data-testid="session-row"][data-current="true"]');
  await expect(current).toHaveCount(1);
  await expect(current.locator('[data-testid="session-current"]')).toBeVisible();
  // Nothing overflows a 360 px screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
