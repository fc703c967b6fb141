// Keyboard shortcuts, multi-select and bulk actions of the webmail's list
// and reader (issue 15), on a desktop and a phone. Every test makes its own
// messages (unique subjects, over IMAP) and narrows the list to them.
import { test, expect, type Page } from '@playwright/test';
import { Imap, unique } from './imap';
import { DEMO, signIn } from './helpers';

/** `n` messages whose subjects start with `prefix`, the first the newest. */
async function make(
  imap: Imap,
  prefix: string,
  n: number,
  flags = '',
  now = Date.now(),
): Promise<{ uids: number[]; subjects: string[] }> {
  const uids: number[] = [];
  const subjects: string[] = [];
  for (let i = 0; i < n; i++) {
    const subject = `${prefix} #${i}`;
    const date = new Date(now - i * 60_000).toUTCString().replace('GMT', '+0000');
    const raw = [
      'From: Zoë Tester <zoe@elsewhere.test>',
      `To: ${DEMO.mailbox}`,
      'Cc: Ann Other <ann@elsewhere.test>',
      `Subject: ${subject}`,
      `Date: ${date}`,
      `Message-ID: <${now}.${i}.${Math.random().toString(36).slice(2)}@elsewhere.test>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Body of ${subject}.`,
      '',
    ].join('\r\n');
    uids.push(await imap.append('INBOX', raw, flags));
    subjects.push(subject);
  }
  return { uids, subjects };
}

/** The list narrowed to `prefix`'s `n` messages, the search field left. */
async function listOf(page: Page, prefix: string, n: number): Promise<void> {
  const list = page.locator('[data-testid="message-list"]');
  // The Inbox's first answer is on screen before the search is typed.
  await expect(list).toHaveAttribute('aria-busy', 'false');
  const search = page.locator('input[data-testid="search"]');
  await search.fill(prefix);
  await search.press('Enter');
  // A page holds 50; the pager's total is the search's, not the Inbox's
  // (whose newest 50 may be these very messages).
  await expect(page.locator('[data-testid="message-row"]')).toHaveCount(Math.min(n, 50));
  await expect(page.locator('nav.pager')).toContainText(new RegExp(`of ${n}(?!\\d)`));
  await expect(list).toHaveAttribute('aria-busy', 'false');
  await search.blur();
}

async function setup(page: Page, name: string, n: number, flags = '') {
  const prefix = unique(name);
  const imap = await Imap.login(DEMO.mailbox);
  const made = await make(imap, prefix, n, flags);
  await signIn(page);
  await listOf(page, prefix, n);
  return { prefix, imap, ...made };
}

const row = (page: Page, uid: number) => page.locator(`[data-testid="message-row"][data-uid="${uid}"]`);
const reader = (page: Page) => page.locator('article[data-testid="reader"]');
const composer = (page: Page) => page.locator('[data-testid="composer"]');

/** The UIDs in `folder` whose subject contains `subject`. */
async function uidsIn(imap: Imap, folder: string, subject: string): Promise<number[]> {
  await imap.cmd(`EXAMINE "${folder}"`);
  const lines = await imap.cmd(`UID SEARCH SUBJECT "${subject}"`);
  const found = lines.find((l) => l.startsWith('* SEARCH')) ?? '';
  return found.split(' ').slice(2).filter((x) => x).map(Number);
}

async function closeComposer(page: Page): Promise<void> {
  await composer(page).locator('button[data-testid="close-composer"]').click();
  await expect(composer(page)).toHaveCount(0);
}

test('? lists every shortcut in a modal dialog; Esc and its button close it and give the focus back', async ({ page }) => {
  const { imap, uids } = await setup(page, 'Keys help', 2);
  await page.keyboard.press('j');
  const link = row(page, uids[0]).locator('a.open');
  await expect(link).toBeFocused();

  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('aria-modal', 'true');
  const close = dialog.locator('button[data-testid="shortcuts-close"]');
  await expect(close).toBeFocused();
  const listed: Array<[string, string[], string]> = [
    ['Next', ['j', '↓'], 'Next message'],
    ['Previous', ['k', '↑'], 'Previous message'],
    ['Open', ['↵', 'o'], 'Open the message'],
    ['Back', ['u', 'Esc'], 'Back to the list'],
    ['Reply', ['r'], 'Reply'],
    ['ReplyAll', ['a'], 'Reply all'],
    ['Forward', ['f'], 'Forward'],
    ['Compose', ['c'], 'Compose'],
    ['Star', ['s'], 'Star'],
    ['MarkRead', ['⇧ I'], 'Mark read'],
    ['MarkUnread', ['⇧ U'], 'Mark unread'],
    ['Archive', ['e'], 'Archive'],
    ['Delete', ['#', 'Delete'], 'Delete'],
    ['Move', ['v'], 'Move'],
    ['Search', ['/'], 'Search'],
    ['Select', ['x'], 'Select'],
    ['Help', ['?'], 'Keyboard shortcuts'],
  ];
  await expect(dialog.locator('[data-testid="shortcut"]')).toHaveCount(listed.length);
  for (const [action, keys, words] of listed) {
    const line = dialog.locator(`[data-testid="shortcut"][data-action="${action}"]`);
    await expect(line.locator('kbd')).toHaveText(keys);
    await expect(line.locator('dd')).toContainText(words, { ignoreCase: true });
  }
  // The page behind takes no key while it is open, and Tab stays inside.
  await page.keyboard.press('j');
  await page.keyboard.press('Tab');
  await expect(close).toBeFocused();
  await expect(row(page, uids[0])).toHaveClass(/\bcursor\b/);

  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(link).toBeFocused();

  await page.keyboard.press('?');
  await expect(dialog).toBeVisible();
  await close.click();
  await expect(dialog).toHaveCount(0);
  await expect(link).toBeFocused();
  await imap.logout();
});

test('j/k and the arrows move the cursor, Enter and o open, u and Escape go back, j in the reader opens the next', async ({ page }) => {
  const { imap, uids, subjects } = await setup(page, 'Keys nav', 3);
  const cursorOn = (i: number) => expect(row(page, uids[i])).toHaveClass(/\bcursor\b/);
  await page.keyboard.press('j');
  await cursorOn(0);
  await page.keyboard.press('j');
  await cursorOn(1);
  await page.keyboard.press('ArrowDown');
  await cursorOn(2);
  await page.keyboard.press('k');
  await cursorOn(1);
  await page.keyboard.press('ArrowUp');
  await cursorOn(0);
  await expect(page.locator('[data-testid="message-row"].cursor')).toHaveCount(1);

  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/${uids[0]}$`));
  await expect(reader(page).locator('[data-testid="reader-subject"]')).toHaveText(subjects[0]);
  await page.keyboard.press('u');
  await expect(reader(page)).toHaveCount(0);
  await expect(page).not.toHaveURL(new RegExp(`/${uids[0]}$`));

  await page.keyboard.press('o');
  await expect(reader(page).locator('[data-testid="reader-subject"]')).toHaveText(subjects[0]);
  await page.keyboard.press('j');
  await expect(page).toHaveURL(new RegExp(`/${uids[1]}$`));
  await expect(reader(page).locator('[data-testid="reader-subject"]')).toHaveText(subjects[1]);
  await cursorOn(1);
  await page.keyboard.press('Escape');
  await expect(reader(page)).toHaveCount(0);
  await imap.logout();
});

test('in the list: s stars, x selects, Shift+I / Shift+U mark read and unread, v moves, / searches, c composes', async ({ page }) => {
  const { imap, uids, subjects } = await setup(page, 'Keys list', 2);
  const first = row(page, uids[0]);
  await page.keyboard.press('j');

  await page.keyboard.press('s');
  await expect(first.locator('button[data-testid="star"]')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => imap.flags('INBOX', uids[0])).toContain('\\Flagged');

  const box = first.locator('input[data-testid="select"]');
  await page.keyboard.press('x');
  await expect(box).toBeChecked();
  await expect(page.locator('[data-testid="selected-count"]')).toHaveText('1 selected');
  await page.keyboard.press('x');
  await expect(box).not.toBeChecked();

  await expect(first).toHaveClass(/\bunread\b/);
  await page.keyboard.press('Shift+I');
  await expect(first).not.toHaveClass(/\bunread\b/);
  await expect.poll(() => imap.flags('INBOX', uids[0])).toContain('\\Seen');
  await page.keyboard.press('Shift+U');
  await expect(first).toHaveClass(/\bunread\b/);
  await expect.poll(() => imap.flags('INBOX', uids[0])).not.toContain('\\Seen');
  // The other row was never touched.
  expect(await imap.flags('INBOX', uids[1])).toEqual([]);

  // v: the cursor's row is selected and the folder menu has the focus.
  await page.keyboard.press('v');
  const move = page.locator('.bulk-bar select[data-testid="move"]');
  await expect(move).toBeFocused();
  await expect(box).toBeChecked();
  await move.selectOption('Archive');
  await expect(first).toHaveCount(0);
  await expect.poll(() => uidsIn(imap, 'Archive', subjects[0])).toHaveLength(1);

  const search = page.locator('input[data-testid="search"]');
  const before = await search.inputValue();
  await page.keyboard.press('/');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue(before);
  await search.blur();

  await page.keyboard.press('c');
  await expect(composer(page)).toBeVisible();
  await expect(composer(page).locator('input[data-testid="subject"]')).toHaveValue('');
  await closeComposer(page);
  await imap.logout();
});

test('in the list: e archives, # and Delete delete the cursor’s row, and the cursor takes the next', async ({ page }) => {
  const { imap, uids, subjects } = await setup(page, 'Keys file', 3);
  await page.keyboard.press('j');
  await page.keyboard.press('e');
  await expect(row(page, uids[0])).toHaveCount(0);
  await expect.poll(() => uidsIn(imap, 'Archive', subjects[0])).toHaveLength(1);
  // The cursor's message left: the row now in its place has it.
  await expect(row(page, uids[1])).toHaveClass(/\bcursor\b/);

  await page.keyboard.press('#');
  await expect(row(page, uids[1])).toHaveCount(0);
  await expect.poll(() => uidsIn(imap, 'Trash', subjects[1])).toHaveLength(1);

  await page.keyboard.press('Delete');
  await expect(row(page, uids[2])).toHaveCount(0);
  await expect.poll(() => uidsIn(imap, 'Trash', subjects[2])).toHaveLength(1);
  expect(await uidsIn(imap, 'INBOX', subjects[2])).toEqual([]);
  await imap.logout();
});

test('in the reader: r, a and f write, s stars, v moves, Shift+U, e and # act on the open message, u goes back', async ({ page }) => {
  const { imap, uids, subjects } = await setup(page, 'Keys reader', 4);
  const subjectOf = () => composer(page).locator('input[data-testid="subject"]');
  const open = async (i: number) => {
    await row(page, uids[i]).locator('a.open').click();
    await expect(reader(page).locator('[data-testid="reader-subject"]')).toHaveText(subjects[i]);
    // Keys go to the page, not to the link that was clicked.
    await page.locator('[data-testid="reader-subject"]').click();
  };
  await open(0);

  await page.keyboard.press('r');
  await expect(subjectOf()).toHaveValue(`Re: ${subjects[0]}`);
  await expect(composer(page).locator('[data-testid="chip"][title*="ann@elsewhere.test"]')).toHaveCount(0);
  // Typing in the composer's editor is text, not keys.
  await composer(page).locator('[data-testid="editor"]').click();
  await page.keyboard.type('jk#e');
  await expect(composer(page)).toBeVisible();
  await expect(composer(page).locator('[data-testid="editor"]')).toContainText('jk#e');
  await closeComposer(page);

  await page.keyboard.press('a');
  await expect(subjectOf()).toHaveValue(`Re: ${subjects[0]}`);
  await expect(composer(page).locator('[data-testid="chip"][title*="ann@elsewhere.test"]')).toHaveCount(1);
  await closeComposer(page);

  await page.keyboard.press('f');
  await expect(subjectOf()).toHaveValue(`Fwd: ${subjects[0]}`);
  await closeComposer(page);

  const star = reader(page).locator('button[data-testid="star"]');
  await page.keyboard.press('s');
  await expect(star).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => imap.flags('INBOX', uids[0])).toContain('\\Flagged');

  await page.keyboard.press('v');
  await expect(reader(page).locator('select[data-testid="move"]')).toBeFocused();
  await reader(page).locator('select[data-testid="move"]').blur();

  // Shift+U: unread again, back to the list.
  expect(await imap.flags('INBOX', uids[0])).toContain('\\Seen');
  await page.keyboard.press('Shift+U');
  await expect(reader(page)).toHaveCount(0);
  await expect(row(page, uids[0])).toHaveClass(/\bunread\b/);
  await expect.poll(() => imap.flags('INBOX', uids[0])).not.toContain('\\Seen');

  await open(1);
  await page.keyboard.press('e');
  await expect(reader(page)).toHaveCount(0);
  await expect.poll(() => uidsIn(imap, 'Archive', subjects[1])).toHaveLength(1);

  await open(2);
  await page.keyboard.press('#');
  await expect(reader(page)).toHaveCount(0);
  await expect.poll(() => uidsIn(imap, 'Trash', subjects[2])).toHaveLength(1);

  await open(3);
  await page.keyboard.press('u');
  await expect(reader(page)).toHaveCount(0);
  await expect(row(page, uids[3])).toBeVisible();
  await imap.logout();
});

test('keys typed in the search field are text, not shortcuts', async ({ page }) => {
  const { imap, uids, prefix } = await setup(page, 'Keys typing', 2);
  const search = page.locator('input[data-testid="search"]');
  await search.click();
  await search.press('End');
  await page.keyboard.type(' js#x?/e');
  await page.keyboard.press('Shift+I');
  await expect(search).toHaveValue(`${prefix} js#x?/eI`);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.locator('[data-testid="message-row"].cursor')).toHaveCount(0);
  await expect(page.locator('[data-testid="message-row"]')).toHaveCount(2);
  await expect(row(page, uids[0]).locator('button[data-testid="star"]')).toHaveAttribute('aria-pressed', 'false');
  expect(await imap.flags('INBOX', uids[0])).toEqual([]);
  // Ctrl/Meta/Alt keys are the browser's: no star, no selection.
  await search.blur();
  await page.keyboard.press('j');
  await page.keyboard.press('Alt+s');
  await page.keyboard.press('Control+x');
  await expect(row(page, uids[0]).locator('button[data-testid="star"]')).toHaveAttribute('aria-pressed', 'false');
  await expect(row(page, uids[0]).locator('input[data-testid="select"]')).not.toBeChecked();
  await imap.logout();
});

test('a message arriving on top keeps the cursor, the selection and the rows on screen', async ({ page }) => {
  const { imap, uids, prefix } = await setup(page, 'Keys keyed', 3);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(row(page, uids[1])).toHaveClass(/\bcursor\b/);
  await row(page, uids[2]).locator('input[data-testid="select"]').click();
  // Mark the rows' DOM nodes: kept nodes keep the mark.
  await page.evaluate(() =>
    document.querySelectorAll('[data-testid="message-row"]').forEach((el) => ((el as unknown as { kept: boolean }).kept = true)),
  );

  // Dated a minute later: the Date header has whole seconds, a tie could sort either way.
  const [newest] = (await make(imap, `${prefix} new`, 1, '', Date.now() + 60_000)).uids;
  // Asked again (what a live update does): the new one is on top.
  const search = page.locator('input[data-testid="search"]');
  await search.press('Enter');
  await expect(page.locator('[data-testid="message-row"]')).toHaveCount(4);
  await expect(page.locator('[data-testid="message-row"]').first()).toHaveAttribute('data-uid', String(newest));
  await expect(row(page, uids[1])).toHaveClass(/\bcursor\b/);
  await expect(row(page, uids[2]).locator('input[data-testid="select"]')).toBeChecked();
  const kept = await page.evaluate(() =>
    Array.from(document.querySelectorAll('[data-testid="message-row"]')).map((el) => ({
      uid: el.getAttribute('data-uid'),
      kept: (el as unknown as { kept?: boolean }).kept === true,
    })),
  );
  expect(kept).toEqual([
    { uid: String(newest), kept: false },
    ...uids.map((u) => ({ uid: String(u), kept: true })),
  ]);
  // The cursor moves on from its message, not from its old index.
  await search.blur();
  await page.keyboard.press('j');
  await expect(row(page, uids[2])).toHaveClass(/\bcursor\b/);
  await imap.logout();
});

test('shift-click selects or clears every row between it and the click before', async ({ page }) => {
  const { imap, uids } = await setup(page, 'Keys range', 5);
  const box = (i: number) => row(page, uids[i]).locator('input[data-testid="select"]');
  const checked = async () => {
    const out: number[] = [];
    for (let i = 0; i < uids.length; i++) if (await box(i).isChecked()) out.push(i);
    return out;
  };
  await box(1).click();
  await box(3).click({ modifiers: ['Shift'] });
  await expect.poll(checked).toEqual([1, 2, 3]);
  await box(4).click({ modifiers: ['Shift'] });
  await expect.poll(checked).toEqual([1, 2, 3, 4]);
  // Cleared like the second click: 4 off, then shift-click 2 off → 2–4 off.
  await box(4).click();
  await box(2).click({ modifiers: ['Shift'] });
  await expect.poll(checked).toEqual([1]);
  await expect(page.locator('[data-testid="selected-count"]')).toHaveText('1 selected');
  // Upwards, from the click before (2) to 0, selected like 0.
  await box(0).click({ modifiers: ['Shift'] });
  await expect.poll(checked).toEqual([0, 1, 2]);
  await imap.logout();
});

test('select all matching: the bulk action applies to every message of the search, not only the page', async ({ page }) => {
  test.setTimeout(120_000);
  const n = 53;
  const { imap, prefix, uids } = await setup(page, 'Keys matching', n);
  const all = page.locator('input[data-testid="select-all"]');
  const matching = page.locator('button[data-testid="select-all-matching"]');
  const count = page.locator('[data-testid="selected-count"]');
  await expect(matching).toHaveCount(0);
  await all.check();
  await expect(count).toHaveText('50 selected');
  await expect(matching).toHaveText(`Select all ${n} matching`);
  await matching.click();
  await expect(count).toHaveText(`All ${n} matching selected`);
  // One row cleared: the page's selection again, without that row.
  const box = row(page, uids[0]).locator('input[data-testid="select"]');
  await box.click();
  await expect(count).toHaveText('49 selected');
  await expect(matching).toHaveCount(0);
  await box.click();
  await matching.click();
  await expect(count).toHaveText(`All ${n} matching selected`);

  await page.locator('button[data-testid="mark-read"]').click();
  const unseen = async () => {
    await imap.cmd('EXAMINE "INBOX"');
    const lines = await imap.cmd(`UID SEARCH UNSEEN SUBJECT "${prefix}"`);
    return (lines.find((l) => l.startsWith('* SEARCH')) ?? '').split(' ').slice(2).filter((x) => x).length;
  };
  await expect.poll(unseen, { timeout: 20_000 }).toBe(0);
  // All of them, the three beyond the page too.
  for (const u of uids.slice(50)) expect(await imap.flags('INBOX', u)).toContain('\\Seen');
  await expect(page.locator('[data-testid="message-row"].unread')).toHaveCount(0);
  await expect(count).toHaveText('');
  await imap.logout();
});

test('bulk star and unstar apply to the selection', async ({ page }) => {
  const { imap, uids } = await setup(page, 'Keys bulk star', 3);
  await row(page, uids[0]).locator('input[data-testid="select"]').click();
  await row(page, uids[2]).locator('input[data-testid="select"]').click();
  await page.locator('button[data-testid="bulk-star"]').click();
  const star = (i: number) => row(page, uids[i]).locator('button[data-testid="star"]');
  await expect(star(0)).toHaveAttribute('aria-pressed', 'true');
  await expect(star(2)).toHaveAttribute('aria-pressed', 'true');
  await expect(star(1)).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => imap.flags('INBOX', uids[0])).toContain('\\Flagged');
  await expect.poll(() => imap.flags('INBOX', uids[2])).toContain('\\Flagged');
  expect(await imap.flags('INBOX', uids[1])).not.toContain('\\Flagged');
  // The selection is cleared after an action; select again and unstar.
  await expect(row(page, uids[0]).locator('input[data-testid="select"]')).not.toBeChecked();
  await row(page, uids[0]).locator('input[data-testid="select"]').click();
  await page.locator('button[data-testid="bulk-unstar"]').click();
  await expect(star(0)).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => imap.flags('INBOX', uids[0])).not.toContain('\\Flagged');
  expect(await imap.flags('INBOX', uids[2])).toContain('\\Flagged');
  await imap.logout();
});
