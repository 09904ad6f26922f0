// Shared by the identity browser tests: headless Chromium, bounded in time, nothing
// leaving the machine (any request to a host other than the app's is answered here).
import { build } from "esbuild";
import { chromium, type Browser, type BrowserContext, type Request } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Launch Debian's Chromium; `hostMap` names resolve to 127.0.0.1 (for HTTPS on a real-looking domain). */
export function launchChromium(hostMap: string[] = []): Promise<Browser> {
  const rules = hostMap.map((host) => `MAP ${host} 127.0.0.1`).join(", ");
  return chromium.launch({
    executablePath: process.env.THREADLINE_CHROMIUM ?? "/usr/bin/chromium",
    args: rules === "" ? CHROMIUM_ARGS : [...CHROMIUM_ARGS, `--host-resolver-rules=${rules}`],
    timeout: 30_000,
  });
}

export interface OffsiteLog {
  /** Requests the page tried to send anywhere but the app; all were answered locally. */
  requests: Request[];
}

/** A fresh browser profile whose requests to any host but `appHost` are answered with `200 {}`. */
export async function isolatedContext(
  browser: Browser,
  appHost: string,
  options: { ignoreHTTPSErrors?: boolean } = {},
): Promise<{ context: BrowserContext; offsite: OffsiteLog }> {
  const context = await browser.newContext({ ignoreHTTPSErrors: options.ignoreHTTPSErrors ?? false });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  const offsite: OffsiteLog = { requests: [] };
  await context.route(
    (url) => url.host !== appHost,
    (route) => {
      offsite.requests.push(route.request());
      return route.fulfill({ status: 200, contentType: "application/json", body: "{}" });
    },
  );
  return { context, offsite };
}

/**
 * The real Segment browser SDK (@segment/analytics-next), bundled locally. `cdnSettings`
 * is given so it never asks Segment's CDN for settings; its only destination is the
 * built-in Segment.io beacon, which the test answers. The page exposes
 * `window.segmentReady`: a promise of the SDK's `anonymousId()` after its first `page()`.
 */
export async function bundleSegmentSdk(): Promise<string> {
  const source = `
    import { AnalyticsBrowser } from "@segment/analytics-next";
    window.segmentReady = AnalyticsBrowser.load(
      {
        writeKey: "browser-key",
        // Settings given, so the CDN is never asked; metrics off, so the only request is the beacon.
        cdnSettings: { integrations: { "Segment.io": { apiKey: "browser-key" } }, metrics: { sampleRate: 0 } },
      },
      { retryQueue: false },
    ).then(async ([analytics]) => {
      await analytics.page();
      return analytics.user().anonymousId();
    });`;
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    write: false,
    minify: true,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** The `aid` cookie's value as page script sees it (the example app prints it into #aid). */
export async function aidShownOnPage(page: import("playwright-core").Page): Promise<string> {
  return (await page.locator("#aid").textContent({ timeout: 5000 })) ?? "";
}
