// The returning visitor every middleware bench sends, and the probes that make it one: a
// browser that visited before holds `aid` and the live session cookie the middleware
// wrote for it (sessions are on by default). Without the latter each request would open a
// session and write `Set-Cookie`, a first visit in disguise.
import http from "node:http";

export const RETURNING_AID = "3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69";
/** `aid` and a stranger's cookie, before the session cookie is added. */
export const RETURNING_COOKIE = `aid=${RETURNING_AID}; theme=dark`;
/** The bench modes that run threadline's middleware: a returning visitor must get no `Set-Cookie` from them. */
export const MIDDLEWARE_MODES = new Set(["r1", "noscope", "scope", "nosession"]);
const PROBE_TIMEOUT_MS = 60_000;

/** One GET of `url` with `headers`: its status and `Set-Cookie` lines. */
export function probeOnce(url, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, setCookie: res.headers["set-cookie"] ?? [] }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} in ${PROBE_TIMEOUT_MS} ms`)));
  });
}

/** The `aid_session=...` pair the app writes for a visitor with `cookie`, if it writes one. */
export async function liveSessionCookie(url, cookie) {
  const probe = await probeOnce(url, { cookie });
  return probe.setCookie.find((line) => line.startsWith("aid_session="))?.split(";")[0];
}

/**
 * `cookie` with the session cookie the app at `url` writes for its `aid` now; an app that
 * writes none (the bare route, the floors) gets a dummy of the same shape, so every mode
 * reads a Cookie header of the same size. A cookie without `aid` (a first visit) is kept.
 */
export async function withLiveSession(url, cookie) {
  const aid = /aid=([^;]+)/.exec(cookie ?? "")?.[1];
  if (!aid) return cookie;
  const session = await liveSessionCookie(url, `aid=${aid}`);
  return `${cookie}; ${session ?? `aid_session=${aid}.1.0.0..x`}`;
}

/** Refuse to measure a returning visitor that middleware `mode` answers with `Set-Cookie`: the row would time a session's first write. */
export async function assertReturning(mode, url, cookie) {
  if (!MIDDLEWARE_MODES.has(mode.split("@")[0]) || !/aid=/.test(cookie ?? "")) return;
  const { setCookie } = await probeOnce(url, { cookie });
  if (setCookie.length > 0)
    throw new Error(`${mode}: the returning visitor got Set-Cookie ${JSON.stringify(setCookie)}`);
}
