/** Debian's chromium, headless, driven by playwright-core: how every browser test starts it. */
import { chromium, type Browser } from 'playwright-core';

/**
 * Launches /usr/bin/chromium headless, with what phones home and what needs a GPU or sandbox turned off;
 * `env` replaces its environment (a HOME whose NSS database trusts a test CA).
 */
export function launchChromium(env?: NodeJS.ProcessEnv): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    ...(env === undefined ? {} : { env }),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}
