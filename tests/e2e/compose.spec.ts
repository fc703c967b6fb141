// Writing mail as a person does it: compose with an attachment and send,
// reply to a message, undo a send. Desktop and phone (360 px) projects.
import { test, expect, type Page } from '@playwright/test';
import { Imap, message, unique } from './imap';
import { DEMO, demoMailboxId, searchFor, showFolders, signIn } from './helpers';

/** The undo window the composer uses (localStorage, seconds; 0 = off). */
async function setUndo(page: Page, seconds: number): Promise<void> {
  await page.evaluate((s) => localStorage.setItem('postern.undo_seconds', String(s)), seconds);
}

async function openFolder(page: Page, path: string): Promise<void> {
  await showFolders(page);
  await page.locator(`nav[data-testid="folders"] a[data-folder="${path}"]`).click();
  await expect(page.locator('[data-testid="message-list"]')).toBeVisible();
}

async function writeMessage(page: Page, subject: string, body: string): Promise<void> {
  await page.locator('button[data-testid="compose"]').click();
  const composer = page.locator('[data-testid="composer"]');
  await expect(composer).toBeVisible();
  const to = composer.locator('input[data-testid="to-input"]');
  await expect(to).toBeFocused();
  await to.fill(DEMO.mailbox);
  await to.press('Enter');
  await expect(composer.locator('[data-testid="chip"]')).toHaveCount(1);
  await expect(composer.locator('[data-testid="chip"][data-invalid]')).toHaveCount(0);
  await composer.locator('input[data-testid="subject"]').fill(subject);
  const editor = composer.locator('[data-testid="editor"]');
  await editor.click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type(body);
}

test('compose with an attachment, send, find it in Sent', async ({ page }) => {
  const subject = unique('Composer send');
  await signIn(page);
  await setUndo(page, 0);
  await writeMessage(page, subject, 'Hello from the composer.');

  const composer = page.locator('[data-testid="composer"]');
  await composer.locator('input[type="file"][data-testid="attach-input"]').setInputFiles({
    name: 'note.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('A small attachment.\n'),
  });
  const file = composer.locator('[data-testid="attachment"]');
  await expect(file).toHaveAttribute('data-state', 'done', { timeout: 20_000 });
  await expect(file.locator('progress[data-testid="upload-progress"]')).toHaveCount(1);

  // An invalid address is an error chip and blocks sending.
  const cc = composer.locator('button[data-testid="show-cc"]');
  await cc.click();
  const ccInput = composer.locator('input[data-testid="cc-input"]');
  await ccInput.fill('not an address');
  await ccInput.press('Enter');
  await expect(composer.locator('[data-testid="chip"][data-invalid]')).toHaveCount(1);
  await expect(composer.locator('button[data-testid="send"]')).toBeDisabled();
  await ccInput.press('Backspace');
  await expect(composer.locator('[data-testid="chip"][data-invalid]')).toHaveCount(0);

  const send = composer.locator('button[data-testid="send"]');
  await expect(send).toBeEnabled();
  await send.click();
  await expect(composer.locator('[data-testid="composer-error"]')).toHaveCount(0);
  await expect(composer).toHaveCount(0, { timeout: 20_000 });
  await expect(page.locator('[data-testid="send-toast"]')).toBeVisible();

  await openFolder(page, 'Sent');
  await expect
    .poll(
      async () => {
        await page.locator('input[data-testid="search"]').fill(subject);
        await page.locator('input[data-testid="search"]').press('Enter');
        await page.waitForTimeout(500);
        return page.locator('[data-testid="message-row"]', { hasText: subject }).count();
      },
      { timeout: 30_000 },
    )
    .toBeGreaterThan(0);
  await page.locator('[data-testid="message-row"]', { hasText: subject }).first().locator('a.open').click();
  const reader = page.locator('article[data-testid="reader"]');
  await expect(reader).toContainText(subject);
  await expect(reader.locator('[data-testid="attachment"]', { hasText: 'note.txt' })).toBeVisible();
});

test('reply is prefilled with Re: and the sender, quoting the original', async ({ page }) => {
  const subject = unique('Reply to me');
  const imap = await Imap.login(DEMO.mailbox);
  await imap.append('INBOX', message({ subject, text: 'Original words.' }));
  await imap.logout();

  await signIn(page);
  await searchFor(page, subject);
  await page.locator('[data-testid="message-row"]', { hasText: subject }).locator('a.open').click();
  const reader = page.locator('article[data-testid="reader"]');
  await expect(reader).toContainText('Original words.');
  await reader.locator('[data-testid="reply"]').click();

  const composer = page.locator('[data-testid="composer"]');
  await expect(composer).toBeVisible();
  await expect(composer.locator('input[data-testid="subject"]')).toHaveValue(`Re: ${subject}`);
  const chips = composer.locator('[data-testid="chip"]');
  await expect(chips).toHaveCount(1);
  await expect(chips.first()).toHaveAttribute('title', 'zoe@elsewhere.test');
  const editor = composer.locator('[data-testid="editor"]');
  await expect(editor).toBeFocused();
  await expect(editor.locator('blockquote')).toContainText('Original words.');
  await composer.locator('button[data-testid="close-composer"]').click();
  await expect(composer).toHaveCount(0);
});

test('undo puts the message back in the composer as a draft', async ({ page }) => {
  const subject = unique('Undo me');
  await signIn(page);
  await setUndo(page, 20);
  await writeMessage(page, subject, 'Not yet.');
  await page.locator('[data-testid="composer"] button[data-testid="send"]').click();
  const toast = page.locator('[data-testid="send-toast"]');
  await expect(toast).toBeVisible();
  await toast.locator('button[data-testid="undo-send"]').click();

  const composer = page.locator('[data-testid="composer"]');
  await expect(composer).toBeVisible({ timeout: 15_000 });
  await expect(composer.locator('input[data-testid="subject"]')).toHaveValue(subject);
  await expect(composer.locator('[data-testid="chip"]')).toHaveCount(1);

  // It is a draft on the server, and it was never delivered.
  const imap = await Imap.login(DEMO.mailbox);
  await imap.cmd('SELECT "Drafts"');
  const found = await imap.cmd(`UID SEARCH SUBJECT "${subject}"`);
  expect(found.join(' ')).toMatch(/SEARCH \d+/);
  await imap.cmd('SELECT "INBOX"');
  const delivered = await imap.cmd(`UID SEARCH SUBJECT "${subject}"`);
  expect(delivered.join(' ')).not.toMatch(/SEARCH \d+/);
  await imap.logout();
});

test('a message in Drafts opens in the composer to continue it', async ({ page }) => {
  const subject = unique('Draft to continue');
  await signIn(page);
  await writeMessage(page, subject, 'Half written.');
  const composer = page.locator('[data-testid="composer"]');
  await expect(composer.locator('[data-testid="draft-status"]')).not.toBeEmpty({ timeout: 10_000 });
  await composer.locator('button[data-testid="close-composer"]').click();
  await expect(composer).toHaveCount(0);

  await openFolder(page, 'Drafts');
  await searchFor(page, subject);
  await page.locator('[data-testid="message-row"]', { hasText: subject }).locator('a.open').click();
  await expect(composer).toBeVisible();
  await expect(composer.locator('input[data-testid="subject"]')).toHaveValue(subject);
  await expect(composer.locator('[data-testid="editor"]')).toContainText('Half written.');
  await expect(composer.locator('[data-testid="chip"]')).toHaveCount(1);
});

test('a signature saved in the mailbox settings is added to new messages', async ({ page }) => {
  const line = unique('Signed');
  await signIn(page);
  const mb = await demoMailboxId(page);
  // The signature is edited in the portal's settings of the mailbox.
  const settings = `/settings/${mb}/general`;
  const text = page.locator('textarea[data-testid="signature-text"]');
  const save = async (value: string) => {
    await page.goto(settings);
    await expect(text).toBeEnabled();
    const before = await text.inputValue();
    await text.fill(value);
    await page.locator('button[data-testid="signature-save"]').click();
    await expect(page.locator('[data-testid="signature-status"]')).not.toBeEmpty();
    return before;
  };
  const before = await save(`${line}\nPostern tests`);

  await page.goto(`/mail/${mb}/INBOX`);
  await page.locator('button[data-testid="compose"]').click();
  const composer = page.locator('[data-testid="composer"]');
  const editor = composer.locator('[data-testid="editor"]');
  await expect(editor).toContainText(line);
  await expect(editor).toContainText('Postern tests');
  await composer.locator('button[data-testid="close-composer"]').click();
  await expect(composer).toHaveCount(0);

  // Put the previous signature back.
  await save(before);
});

test('switching mailbox saves the open message in the first one and closes it', async ({ page }) => {
  const subject = unique('Switched away');
  await signIn(page);
  await writeMessage(page, subject, 'Written as Olivia.');
  const composer = page.locator('[data-testid="composer"]');

  await page.locator('select[data-testid="mailbox-switcher"]').selectOption({ label: 'team@example.test' });
  await expect(page).toHaveURL(/\/mail\/\d+\/INBOX/);
  await expect(composer).toHaveCount(0);

  // The draft is Olivia's, not the team's.
  const drafts = async (address: string): Promise<string> => {
    const imap = await Imap.login(address);
    await imap.cmd('SELECT "Drafts"');
    const found = (await imap.cmd(`UID SEARCH SUBJECT "${subject}"`)).join(' ');
    await imap.logout();
    return found;
  };
  await expect.poll(() => drafts(DEMO.mailbox), { timeout: 10_000 }).toMatch(/SEARCH \d+/);
  expect(await drafts('team@example.test')).not.toMatch(/SEARCH \d+/);
});
