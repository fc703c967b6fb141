// Light, dark and the system's scheme (issue 15): the account menu's switch,
// remembered in this browser and applied by boot.js before the app starts;
// in every scheme the page's text keeps a WCAG contrast of 4.5:1 against
// what is behind it, and a message's HTML body stays on its light surface.
// A screenshot of each scheme is attached to the report.
import { test, expect, type Page, type TestInfo } from '@playwright/test';
import { Imap, message, unique } from './imap';
import { DEMO, openAccountMenu, signIn } from './helpers';

/** What the list, the header and the buttons show: text colour against the
 * colour behind it (its own background or its ancestors', composed). */
const CHECKED = [
  '.message-row .from',
  '.message-row .subject',
  '.message-row .date',
  '.app-header .brand',
  'button[data-testid="compose"]',
  'button[data-testid="account-menu"] .avatar',
  'input[data-testid="search"]',
  'select[data-testid="filter"]',
  '.pager span',
  'nav[data-testid="folders"] .name',
];

type Check = { selector: string; text: string; color: string; background: string; ratio: number };

async function contrasts(page: Page, selectors: string[]): Promise<{ page: number; checks: Check[] }> {
  return page.evaluate((selectors) => {
    type C = { r: number; g: number; b: number; a: number };
    const parse = (s: string): C => {
      const p = (/rgba?\(([^)]*)\)/.exec(s)?.[1] ?? '0,0,0,0').split(/[\s,/]+/).filter((x) => x).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const over = (top: C, under: C): C => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a),
      a: 1,
    });
    const lum = (c: C) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
    };
    // The colour behind an element: its and its ancestors' backgrounds,
    // composed down to the first opaque one (the page's canvas at worst).
    const behind = (el: Element): C => {
      const layers: C[] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.a > 0) layers.push(c);
        if (c.a >= 1) break;
      }
      let base: C = parse(getComputedStyle(document.body).backgroundColor);
      if (base.a < 1) base = { r: 255, g: 255, b: 255, a: 1 };
      for (const l of layers.reverse()) base = over(l, base);
      return base;
    };
    const ratio = (a: C, b: C) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const checks = [];
    for (const selector of selectors) {
      const els = Array.from(document.querySelectorAll(selector)).filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && !(e as HTMLButtonElement).disabled && getComputedStyle(e).visibility !== 'hidden';
      });
      for (const el of els.slice(0, 6)) {
        const bg = behind(el);
        const fg = over(parse(getComputedStyle(el).color), bg);
        checks.push({
          selector,
          text: (el.textContent ?? '').trim().slice(0, 30),
          color: getComputedStyle(el).color,
          background: `rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)})`,
          ratio: Math.round(ratio(fg, bg) * 100) / 100,
        });
      }
    }
    return { page: lum(parse(getComputedStyle(document.body).backgroundColor)), checks };
  }, selectors);
}

/** The page is `scheme` (by its background's luminance) and every checked
 * text has a contrast of at least 4.5:1; a screenshot goes to the report. */
async function expectScheme(page: Page, testInfo: TestInfo, scheme: 'light' | 'dark', name: string): Promise<void> {
  await expect(page.locator('[data-testid="message-row"]').first()).toBeVisible();
  const r = await contrasts(page, CHECKED);
  if (scheme === 'dark') expect(r.page, 'a dark page').toBeLessThan(0.05);
  else expect(r.page, 'a light page').toBeGreaterThan(0.8);
  // The list rows, the header's compose button and the search were checked.
  for (const s of ['.message-row .from', '.message-row .subject', 'button[data-testid="compose"]', 'input[data-testid="search"]']) {
    expect(r.checks.some((c) => c.selector === s), `${s} is on screen`).toBeTruthy();
  }
  const low = r.checks.filter((c) => c.ratio < 4.5);
  expect(low, `text under 4.5:1 in ${name}`).toEqual([]);
  // Kept in the test's output folder (test-results/…) and in the report.
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await testInfo.attach(`${name}.png`, { path: file, contentType: 'image/png' });
}

async function chooseTheme(page: Page, value: 'auto' | 'light' | 'dark'): Promise<void> {
  await openAccountMenu(page);
  await page.locator('select[data-testid="theme"]').selectOption(value);
  // Closed by a click beside it (its scrim).
  const height = page.viewportSize()?.height ?? 600;
  await page.locator('button.menu-scrim').click({ position: { x: 2, y: height - 10 } });
  await expect(page.locator('[data-testid="account-panel"]')).toHaveCount(0);
}

const theme = (page: Page) => page.evaluate(() => document.documentElement.dataset.theme ?? null);

test.describe('the system is dark', () => {
  test.use({ colorScheme: 'dark' });

  test('auto follows it; the switch makes the page light, and auto dark again', async ({ page }, testInfo) => {
    await signIn(page);
    expect(await theme(page)).toBeNull();
    await expectScheme(page, testInfo, 'dark', 'system-dark');
    await chooseTheme(page, 'light');
    expect(await theme(page)).toBe('light');
    await expectScheme(page, testInfo, 'light', 'switch-light-on-dark-system');
    await chooseTheme(page, 'auto');
    expect(await theme(page)).toBeNull();
    await expectScheme(page, testInfo, 'dark', 'auto-dark');
  });

  test('a message’s HTML body stays on its light surface', async ({ page }) => {
    const subject = unique('Theme html');
    const imap = await Imap.login(DEMO.mailbox);
    const uid = await imap.append('INBOX', message({ subject, html: '<p>Light paper</p>' }));
    await imap.logout();
    await signIn(page);
    const search = page.locator('input[data-testid="search"]');
    await search.fill(subject);
    await search.press('Enter');
    await page.locator(`[data-testid="message-row"][data-uid="${uid}"] a.open`).click();
    const frame = page.frameLocator('iframe[data-testid="message-html"]');
    await expect(frame.locator('body')).toContainText('Light paper');
    const colours = await frame.locator('body').evaluate((b) => ({
      background: getComputedStyle(b).backgroundColor,
      color: getComputedStyle(b).color,
    }));
    expect(colours.background).toBe('rgb(255, 255, 255)');
    expect(colours.color).toBe('rgb(27, 27, 27)');
    // …while the page around it is dark.
    const pageBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(pageBg).not.toBe('rgb(255, 255, 255)');
  });
});

test.describe('the system is light', () => {
  // No service worker: a refused wasm stays refused (page.route does not
  // see what a worker answers from its cache).
  test.use({ colorScheme: 'light', serviceWorkers: 'block' });

  test('auto follows it; dark by the switch is kept and applied before the app starts', async ({ page }, testInfo) => {
    await signIn(page);
    await expectScheme(page, testInfo, 'light', 'system-light');
    await chooseTheme(page, 'dark');
    expect(await theme(page)).toBe('dark');
    expect(await page.evaluate(() => localStorage.getItem('postern.theme'))).toBe('dark');
    await expectScheme(page, testInfo, 'dark', 'switch-dark-on-light-system');

    await page.reload();
    await expectScheme(page, testInfo, 'dark', 'switch-dark-after-reload');
    await openAccountMenu(page);
    await expect(page.locator('select[data-testid="theme"]')).toHaveValue('dark');

    // Without the app (its wasm refused): boot.js alone set the theme.
    await page.route('**/*.wasm', (r) => r.abort());
    await page.goto('/');
    await expect.poll(() => theme(page)).toBe('dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(18, 22, 28)');
  });
});
