// Device passwords (R-DEV), desktop and phone: the demo owner creates one
// in the mailbox's Devices tab, sees it once beside the settings, copies it,
// a real IMAP client logs in with it, the dialog closes for good, and
// disconnecting it refuses the next login.
import { test, expect } from '@playwright/test';
import * as net from 'node:net';
import { DEMO, demoMailboxId, openSection, signIn, uniqueLocal } from './helpers';

/** `LOGIN` with a plain IMAP client: whether the server said OK. */
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

test('a device password is shown once, works in a real IMAP client and stops when disconnected', async ({ page }) => {
  await signIn(page);
  const mb = await demoMailboxId(page);
  await page.goto(`/settings/${mb}/general`);
  await openSection(page, 'devices');
  const name = uniqueLocal('e2e-device');

  const form = page.locator('form[data-testid="device-create"]');
  await form.locator('[data-testid="device-name"]').fill(name);
  await form.locator('[data-testid="device-kind"]').selectOption('mail_program');
  await form.locator('[data-testid="device-create-submit"]').click();

  const dialog = page.locator('[data-testid="device-password-dialog"]');
  await expect(dialog).toBeVisible();
  const password = (await dialog.locator('[data-testid="device-password"]').textContent())!.trim();
  expect(password).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){5}$/);
  await expect(dialog.locator('[data-testid="device-settings"]')).toContainText(DEMO.mailbox);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => {});
  await dialog.locator('[data-testid="device-copy"]').click();
  await expect(dialog.locator('[data-testid="device-copy"]')).not.toHaveText(/^Copy$/);

  expect(await imapLogin(DEMO.mailbox, password)).toBe(true);

  await dialog.locator('[data-testid="device-dialog-close"]').click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText('cannot be shown again')).toBeVisible();
  await expect(page.locator('main')).not.toContainText(password);

  const row = page.locator('[data-testid="device-row"]', { hasText: name });
  await expect(row).toHaveCount(1);
  page.once('dialog', (d) => d.accept());
  await row.locator('[data-testid="device-disconnect"]').click();
  await expect(row).toHaveCount(0);
  expect(await imapLogin(DEMO.mailbox, password)).toBe(false);
});
