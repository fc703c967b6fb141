// The webmail in French and in German (R-CLI-2): the browser's language
// picks the UI's; labels, folder names, dates and sizes come out in it.
// The expected words are read from the locale files the app is built
// from, so the test checks that the page uses them — not English.
import { test, expect } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Imap, unique } from './imap';
import { DEMO, searchFor, showFolders, signIn } from './helpers';

type Words = Record<string, string>;
const words = (lang: string): Words =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'frontend', 'locales', `${lang}.json`), 'utf8'));
const english = words('en');

/** A message of 40 days ago with a 3,000-byte attachment. */
function oldMessageWithAttachment(subject: string, date: Date): string {
  const boundary = `b${Date.now()}`;
  const blob = Buffer.alloc(3000, 'a').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    'From: Zoë Tester <zoe@elsewhere.test>',
    `To: ${DEMO.mailbox}`,
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${Date.now()}.${Math.random().toString(36).slice(2)}@elsewhere.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Bonjour, hallo.',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="notes.bin"',
    'Content-Disposition: attachment; filename="notes.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    blob,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

for (const [locale, lang] of [
  ['fr-FR', 'fr'],
  ['de-DE', 'de'],
] as const) {
  test.describe(`in ${lang}`, () => {
    test.use({ locale });
    const w = words(lang);

    test(`sign-in, list and reader speak ${lang}`, async ({ page }) => {
      const date = new Date(Date.now() - 40 * 86_400_000);
      const subject = unique(`Langue ${lang}`);
      const imap = await Imap.login(DEMO.mailbox);
      await imap.append('INBOX', oldMessageWithAttachment(subject, date));
      await imap.logout();

      await page.goto('/');
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await expect(page.locator('#login button[type="submit"]')).toHaveText(w.login_submit);
      expect(w.login_submit).not.toBe(english.login_submit);
      await signIn(page);

      await expect(page.locator('input[data-testid="search"]')).toHaveAttribute('placeholder', w.search_placeholder);
      await expect(page.locator('[data-testid="compose"]')).toContainText(w.compose);
      await showFolders(page);
      await expect(page.locator('nav[data-testid="folders"] a[data-folder="INBOX"] .name')).toHaveText(w.folder_inbox);
      await expect(page.locator('nav[data-testid="folders"] a[data-folder="Sent"] .name')).toHaveText(w.folder_sent);
      // Following a folder closes the phone's drawer.
      await page.locator('nav[data-testid="folders"] a[data-folder="INBOX"]').click();

      await searchFor(page, subject);
      const row = page.locator('[data-testid="message-row"]', { hasText: subject });
      // The list's date of a message this year or older: day and month
      // (and year) as the language writes them.
      const shown = (await row.locator('time.date').textContent())!.trim();
      const expected = await page.evaluate(
        ([t, l]) => {
          const d = new Date(t);
          const thisYear = d.getFullYear() === new Date().getFullYear();
          return d.toLocaleDateString(l, thisYear ? { day: 'numeric', month: 'short' } : { day: 'numeric', month: 'short', year: 'numeric' });
        },
        [date.getTime(), lang] as const,
      );
      expect(shown).toBe(expected);
      const inEnglish = await page.evaluate(([t]) => new Date(t).toLocaleDateString('en', { day: 'numeric', month: 'short' }), [date.getTime()] as const);
      expect(shown).not.toBe(inEnglish);

      await row.locator('a.open').click();
      const reader = page.locator('article[data-testid="reader"]');
      await expect(reader).toBeVisible();
      await expect(reader).toContainText(
        await page.evaluate(([t, l]) => new Date(t).toLocaleDateString(l, { weekday: 'long' }), [date.getTime(), lang] as const),
      );
      await expect(reader.locator('[data-testid="attachment"]')).toContainText(` ${w.unit_kb}`);
      await expect(reader.locator('[data-testid="attachment"]')).toContainText(w.decimal_sep);
      await expect(page.getByRole('button', { name: w.reply, exact: true }).first()).toBeVisible();
    });
  });
}
