// "Spam" / "Not spam" in the webmail (R-SPAM-5), desktop and phone: a
// message reported from the reader leaves the Inbox for Junk, the notice
// offers to block its sender and doing so puts it on the mailbox's list;
// from Junk the bulk bar says "Not spam" and sends it back.
import { test, expect } from '@playwright/test';
import { Imap, message, unique } from './imap';
import { deleteByApi, myMailbox, openAdmin } from './helpers';

test('report a message as spam, block its sender, then say it is not spam', async ({ page }) => {
  const org = await openAdmin(page);
  const mb = await myMailbox(page, org, 'e2e-report');
  const imap = await Imap.login(mb.address);
  try {
    const subject = unique('Limited offer');
    const sender = `seller-${Date.now().toString(36)}@pushy.example`;
    const uid = await imap.append(
      'INBOX',
      message({ subject, from: `Pushy Seller <${sender}>`, to: mb.address, text: 'Watches, bags and prizes: reply now.' }),
    );
    await page.goto(`/mail/${mb.id}/INBOX/${uid}`);
    const reader = page.locator('article[data-testid="reader"]');
    await expect(reader).toContainText(subject);
    const report = reader.locator('button[data-testid="report"]');
    await expect(report).toHaveAttribute('aria-label', 'Spam');
    await report.click();

    // Back on the list, without the message; the notice offers the block.
    await expect(page).toHaveURL(new RegExp(`/mail/${mb.id}/INBOX$`));
    const notice = page.locator('[data-testid="report-notice"]');
    await expect(notice).toContainText('spam folder');
    await expect(page.locator(`[data-testid="message-row"][data-uid="${uid}"]`)).toHaveCount(0);
    const offer = notice.locator('button[data-testid="report-list"]');
    await expect(offer).toHaveText(`Block ${sender}`);
    await offer.click();
    await expect(notice).toContainText('remember this sender');
    const lists = await (await page.request.get(`/api/mailboxes/${mb.id}/spam`)).json();
    expect(lists.blocked).toContain(sender);

    // In Junk: the bulk bar says "Not spam" and sends it back.
    await page.goto(`/mail/${mb.id}/Junk`);
    const row = page.locator('[data-testid="message-row"]', { hasText: subject });
    await expect(row).toHaveCount(1);
    await row.locator('input[type="checkbox"]').check();
    const back = page.locator('.bulk-bar button[data-testid="report"]');
    await expect(back).toHaveText('Not spam');
    await back.click();
    await expect(notice).toContainText('Inbox');
    await expect(notice.locator('button[data-testid="report-list"]')).toHaveText(`Always accept ${sender}`);
    await expect(row).toHaveCount(0);
    await page.goto(`/mail/${mb.id}/INBOX`);
    await expect(page.locator('[data-testid="message-row"]', { hasText: subject })).toHaveCount(1);
  } finally {
    await imap.logout();
    await deleteByApi(page, org, [mb.id]);
  }
});
