// Templates (R-TPL), desktop and phone: the demo owner writes a rule
// template in the administration, then in her own new mailbox's Filters tab
// adds a rule from it — the conditions come from the template, the action
// is hers — and later changes that rule; and writes an auto-reply template, applies it to that mailbox,
// whose Auto-reply tab then shows it switched on. Names are unique per run:
// templates are the whole service's, and both projects share it.
import { test, expect, type Page } from '@playwright/test';
import { csrf, deleteByApi, myMailbox, openAdmin, uniqueLocal } from './helpers';

async function openTemplates(page: Page, org: number): Promise<void> {
  await page.goto(`/admin/${org}/templates`);
  await expect(page.locator('button[data-testid="template-new"]')).toBeEnabled();
}

async function deleteTemplate(page: Page, org: number, name: string): Promise<void> {
  const list = await (await page.request.get(`/api/orgs/${org}/templates`)).json();
  for (const t of list.templates.filter((t: { name: string }) => t.name === name)) {
    const res = await page.request.delete(`/api/orgs/${org}/templates/${t.id}`, {
      headers: { 'X-CSRF-Token': await csrf(page) },
    });
    expect(res.ok()).toBeTruthy();
  }
}

test('a rule made from a template keeps its conditions, takes the action the user picks, and is changed later', async ({ page }) => {
  const org = await openAdmin(page);
  const mb = await myMailbox(page, org, 'e2e-tpl-rule');
  const name = uniqueLocal('Invoices');
  const word = uniqueLocal('invoice');
  try {
    await openTemplates(page, org);
    await page.locator('button[data-testid="template-new"]').click();
    const form = page.locator('form[data-testid="template-form"]');
    await form.locator('input[data-testid="template-name"]').fill(name);
    await form.locator('select[data-testid="template-kind"]').selectOption('rule');
    await form.locator('select[data-testid="rule-field"]').selectOption('subject');
    await form.locator('input[data-testid="rule-value"]').fill(word);
    await form.locator('button[data-testid="rule-add-condition"]').click();
    await expect(form.locator('[data-testid="rule-condition"]')).toContainText(word);
    await form.locator('button[data-testid="template-save"]').click();
    const row = page.locator(`[data-testid="template"][data-name="${name}"]`);
    await expect(row).toContainText(word);
    await expect(row.locator('[data-testid="template-visibility"]')).toHaveText('Visible');
    // A rule template is never applied to mailboxes: no such button.
    await expect(row.locator('[data-testid="template-apply"]')).toHaveCount(0);

    await page.goto(`/settings/${mb.id}/filters`);
    const add = page.locator('details[data-testid="rule-add"]');
    await add.locator('summary').click();
    const choose = add.locator('select[data-testid="rule-template"]');
    await choose.selectOption({ label: name });
    await expect(add.locator('input[data-testid="rule-name"]')).toHaveValue(name);
    await expect(add.locator('[data-testid="rule-condition"]')).toHaveCount(1);
    await expect(add.locator('[data-testid="rule-condition"]')).toContainText(word);
    // Without an action the rule is refused, with the reason.
    await add.locator('button[data-testid="rule-save"]').click();
    await expect(page.locator('[data-testid="rules"] [role="alert"]')).toBeVisible();
    await add.locator('input[data-testid="rule-flag"]').check();
    await add.locator('button[data-testid="rule-save"]').click();
    const rule = page.locator(`[data-testid="rule"][data-name="${name}"]`);
    await expect(rule).toContainText(word);
    await page.reload();
    const saved = page.locator(`[data-testid="rule"][data-name="${name}"]`);
    await expect(saved).toContainText(word);
    await expect(saved).toContainText('Flag');

    // Changed later: the same rule, another action, its conditions kept.
    await saved.locator('button[data-testid="rule-edit"]').click();
    await expect(add.locator('input[data-testid="rule-name"]')).toHaveValue(name);
    await expect(add.locator('input[data-testid="rule-flag"]')).toBeChecked();
    await add.locator('input[data-testid="rule-flag"]').uncheck();
    await add.locator('input[data-testid="rule-mark-read"]').check();
    await add.locator('button[data-testid="rule-save"]').click();
    await expect(page.locator('[data-testid="rule"]')).toHaveCount(1);
    await expect(saved).toContainText('Mark as read');
    await expect(saved).not.toContainText('Flag');
    await expect(saved).toContainText(word);
  } finally {
    await deleteTemplate(page, org, name);
    await deleteByApi(page, org, [mb.id]);
  }
});

test('an auto-reply template applied to a mailbox becomes its auto-reply, switched on', async ({ page }) => {
  const org = await openAdmin(page);
  const mb = await myMailbox(page, org, 'e2e-tpl-away');
  const name = uniqueLocal('Holidays');
  const subject = `Away: ${name}`;
  try {
    await openTemplates(page, org);
    await page.locator('button[data-testid="template-new"]').click();
    const form = page.locator('form[data-testid="template-form"]');
    await form.locator('input[data-testid="template-name"]').fill(name);
    await form.locator('input[data-testid="template-subject"]').fill(subject);
    await form.locator('textarea[data-testid="template-text"]').fill('Back on Monday.\n— Olivia');
    await form.locator('button[data-testid="template-save"]').click();
    const row = page.locator(`[data-testid="template"][data-name="${name}"]`);
    await expect(row).toContainText(subject);

    await row.locator('button[data-testid="template-apply"]').click();
    const panel = page.locator('[data-testid="template-apply-panel"]');
    await panel.locator('input[data-testid="template-apply-search"]').fill(mb.address);
    const confirm = panel.locator('button[data-testid="template-apply-confirm"]');
    await expect(confirm).toBeDisabled();
    await panel.locator(`input[data-testid="template-apply-mailbox"][data-address="${mb.address}"]`).check();
    await confirm.click();
    await expect(page.locator('[data-testid="template-notice"]')).toContainText('(1)');

    await page.goto(`/settings/${mb.id}/auto-reply`);
    await expect(page.locator('input[data-testid="auto-reply-toggle"]')).toBeChecked();
    await expect(page.locator('input[data-testid="auto-reply-subject"]')).toHaveValue(subject);
    await expect(page.locator('textarea[data-testid="auto-reply-text"]')).toHaveValue('Back on Monday.\n— Olivia');
    // The tab offers the same template to start from.
    await expect(page.locator('select[data-testid="auto-reply-template"] option', { hasText: name })).toHaveCount(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    expect(overflow).toBe(false);
  } finally {
    await deleteTemplate(page, org, name);
    await deleteByApi(page, org, [mb.id]);
  }
});
