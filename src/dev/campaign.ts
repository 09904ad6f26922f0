import type { StoredMessage } from "./validate.js";

export interface FirstTouch {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  referrer: string | null;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function utmParams(url: unknown): URLSearchParams {
  if (typeof url !== "string") return new URLSearchParams();
  try {
    return new URL(url).searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/**
 * Where a message says its visitor came from: each field from `context.campaign`
 * (analytics.js names the campaign `name`), else from the `utm_*` parameters of
 * `context.page.url`; the referrer from `context.page.referrer`.
 */
export function touchOf(message: StoredMessage): FirstTouch {
  const context = record(message.context);
  const campaign = record(context.campaign);
  const page = record(context.page);
  const utm = utmParams(page.url);
  return {
    source: text(campaign.source) ?? text(utm.get("utm_source")),
    medium: text(campaign.medium) ?? text(utm.get("utm_medium")),
    campaign: text(campaign.name) ?? text(utm.get("utm_campaign")),
    referrer: text(page.referrer),
  };
}
