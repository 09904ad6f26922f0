import type { Hono } from "hono";
import type { IdentityOptions, ThreadlineVariables } from "threadline/hono";

export function createHonoApp(options?: { identity?: IdentityOptions }): Hono<{ Variables: ThreadlineVariables }>;
