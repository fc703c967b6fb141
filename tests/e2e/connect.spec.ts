// The "Connect a mail program" page (R-PROTO-1..3) and a device-setup link
// (R-DEV-4), desktop and phone (360 px): the page shows the configured host
// and ports, the POP/IMAP warning and the visitor's address with copy
// buttons; a setup link made in the Devices tab opens its own page, where
// the invitee (here the demo owner, a user of the mailbox) makes a password
// that works in a real IMAP client, once.
import { test, expect } from '@playwright/test';
import { DEMO, demoMailboxId, openSection, signIn, uniqueLocal } from './helpers';
import * as net from 'node:net';

const imapPort = (process.env.POSTERN_TEST_IMAP_ADDR ?? '127.0.0.1:20143').split(':')[1];

async function imapLogin(user: string, password: string): Promise<boolean> {
  const [host, port] = (process.env.POSTERN_TEST_IMAP_ADDR ?? '127.0.0.1:20143').split(':');
  const sock = net.connect(Number(port), host);
  sock.setEncoding('utf8');
  let buf = '';
  const until = (re: RegExp) =>
    new Promise<string>((ok, err) => {
      const timer = setTimeout(() => err(new Error(`IMAP timeout, got: ${buf}`)), 10_000);
      const check = () => {
        const m = re.exec(buf);
        if (m) {
          clearTimeout(timer);
          ok(m[0]);
        }
      };
      sock.on('data', (d: string) => {
        buf += d;
        check();
      });
      check();
    });
  await until(/\* OK[^\r\n]*\r\n/);
  sock.write(`a1 LOGIN "${user}" "${password}"\r\n`);
  const answer = await until(/a1 (OK|NO|BAD)/);
  sock.end('a2 LOGOUT\r\n');
  return answer === 'a1 OK';
}

test('the connect page shows the configured settings and the visitor address', async ({ page }) => {
  // `wasmtime serve` knows no peer address; Spin would set this header.
  await page.setExtraHTTPHeaders({ 'spin-client-addr': '203.0.113.7:51000' });
  await signIn(page);
  const mb = await demoMailboxId(page);
  await page.goto(`/settings/${mb}/general`);
  await openSection(page, 'connect');
  await expect(page.locator('[data-testid="connect-imaps"]')).toContainText('localhost');
  await expect(page.locator('[data-testid="connect-imap-starttls"] [data-testid="connect-port"]')).toHaveText(imapPort);
  await expect(page.locator('[data-testid="connect-submission"]')).toContainText('STARTTLS');
  await expect(page.locator('[data-testid="connect-pop-warning"]')).toBeVisible();
  await expect(page.locator('[data-testid="connect-user"]')).toHaveText(DEMO.mailbox);
  await expect(page.locator('[data-testid="connect-ip-value"]')).toHaveText('203.0.113.7');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
  await page.locator('[data-testid="connect-copy-ip"]').click();
  await expect(page.locator('[data-testid="connect-copy-ip"]')).not.toHaveText(/^Copy$/);
  // Nothing wider than the screen (360 px on the phone).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.locator('[data-testid="connect-devices-link"]').click();
  await expect(page).toHaveURL(new RegExp(`/settings/${mb}/devices$`));
});

test('a device-setup link makes one working password for its user', async ({ page }) => {
  await signIn(page);
  const mb = await demoMailboxId(page);
  await page.goto(`/settings/${mb}/general`);
  await openSection(page, 'devices');
  const setup = page.locator('[data-testid="device-setup"]');
  const me = await setup.locator('option', { hasText: DEMO.login }).getAttribute('value');
  await setup.locator('select[data-testid="device-setup-user"]').selectOption(me!);
  await setup.locator('[data-testid="device-setup-email"]').uncheck();
  await setup.locator('[data-testid="device-setup-submit"]').click();
  const link = (await setup.locator('[data-testid="device-setup-link"]').textContent())!.trim();
  expect(link).toContain('/device-setup/');
  await expect(setup.locator('[data-testid="device-setup-row"]').first()).toBeVisible();
  // The pending list reloaded; the link made is still there to copy.
  await expect(setup.locator('[data-testid="device-setup-link"]')).toHaveText(link);

  const path = new URL(link).pathname;
  await page.goto(path);
  await expect(page.locator('[data-testid="device-setup-summary"]')).toContainText(DEMO.mailbox);
  const name = uniqueLocal('e2e-setup');
  const form = page.locator('form[data-testid="device-create"]');
  await form.locator('[data-testid="device-name"]').fill(name);
  await form.locator('[data-testid="device-protocol"][data-protocol="pop3"]').uncheck();
  await form.locator('[data-testid="device-create-submit"]').click();
  const dialog = page.locator('[data-testid="device-password-dialog"]');
  await expect(dialog).toBeVisible();
  const password = (await dialog.locator('[data-testid="device-password"]').textContent())!.trim();
  expect(await imapLogin(DEMO.mailbox, password)).toBe(true);
  await dialog.locator('[data-testid="device-dialog-close"]').click();
  await expect(page.locator('[data-testid="device-setup-done"]')).toBeVisible();

  // Used: a clear page the second time.
  await page.goto(path);
  await expect(page.locator('[data-testid="device-setup-unusable"]')).toHaveAttribute('data-code', 'device_setup_used');

  // The new device is listed with its scope; disconnect it.
  await page.goto(`/settings/${mb}/devices`);
  const row = page.locator('[data-testid="device-row"]', { hasText: name });
  await expect(row.locator('[data-testid="device-protocols-shown"]')).toHaveText('IMAP, SMTP');
  page.once('dialog', (d) => d.accept());
  await row.locator('[data-testid="device-disconnect"]').click();
  await expect(row).toHaveCount(0);
});
