// Browser end-to-end tests: real Debian Chromium against the real stack that
// `cargo xtask test` starts (edge → gateway → Dovecot). Never downloads a
// browser: the executable is the system one.
import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.POSTERN_TEST_EDGE_URL ?? 'http://127.0.0.1:18080';
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export default defineConfig({
  testDir: '.',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: chromium,
  },
  projects: [
    {
      name: 'desktop',
      use: { ...devices['Desktop Chrome'], launchOptions: chromium, viewport: { width: 1280, height: 800 } },
    },
    {
      name: 'phone',
      // A 360 px wide touch phone, the small-screen target of R-CLI-1.
      use: {
        ...devices['Pixel 5'],
        launchOptions: chromium,
        viewport: { width: 360, height: 740 },
        isMobile: true,
        hasTouch: true,
      },
    },
  ],
});
