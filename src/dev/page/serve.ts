import type { IncomingMessage, ServerResponse } from "node:http";
import { PAGE_CSS } from "./styles.js";
import { PAGE_HTML } from "./html.js";
import { PAGE_JS } from "./script.js";

// The assets are strings in the bundle, so the page works from dist/ with no files to copy.
const ASSETS: Record<string, { type: string; body: string }> = {
  "/": { type: "text/html; charset=utf-8", body: PAGE_HTML },
  "/index.html": { type: "text/html; charset=utf-8", body: PAGE_HTML },
  "/assets/page.css": { type: "text/css; charset=utf-8", body: PAGE_CSS },
  "/assets/page.js": { type: "text/javascript; charset=utf-8", body: PAGE_JS },
};

/** Serves the page and its assets; false when `path` is not one of them. */
export function servePage(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (path === "/favicon.ico") {
    res.writeHead(204).end();
    return true;
  }
  const asset = ASSETS[path];
  if (!asset) return false;
  res.writeHead(200, {
    "Content-Type": asset.type,
    "Content-Length": Buffer.byteLength(asset.body),
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : asset.body);
  return true;
}
