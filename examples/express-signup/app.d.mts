import type { Express } from "express";
import type { IdentityOptions, Tracker } from "threadline/express";

export function createSignupApp(options: {
  analytics: Tracker;
  identity?: Omit<IdentityOptions, "analytics">;
  headHtml?: string;
}): Express;
