import type Koa from "koa";
import type { IdentityOptions, Tracker } from "threadline/koa";

export function createKoaApp(options: { analytics: Tracker; identity?: Omit<IdentityOptions, "analytics"> }): Koa;
