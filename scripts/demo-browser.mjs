// A pretend browser for the demo: one cookie jar per device, so each device keeps the `aid`
// cookie the app's middleware gave it, exactly as a real browser would send it back.
// Only what the demo needs: one host, every cookie on Path=/, redirects followed by hand
// (fetch's own redirect following would not replay cookies set by the 303).

/** The header the demo's server reads to back-date a request's events (see demo.mjs). */
export const CLOCK_HEADER = "x-demo-clock";

export class Device {
  /**
   * @param {string} name what the demo calls it ("laptop", "phone")
   * @param {string} baseUrl the app, e.g. http://127.0.0.1:PORT
   * @param {string} userAgent sent on every request, so the events show which device spoke
   */
  constructor(name, baseUrl, userAgent) {
    this.name = name;
    this.baseUrl = baseUrl;
    this.userAgent = userAgent;
    /** @type {Map<string, string>} */
    this.cookies = new Map();
  }

  /** The anonymous id the app gave this device (undefined before its first visit). */
  get aid() {
    return this.cookies.get("aid");
  }

  /**
   * One navigation: the request, then any redirect, with this device's cookies.
   * @param {string} path path and query on the app
   * @param {{ method?: string, form?: Record<string, string>, referer?: string, at?: Date }} [options]
   *   `at` back-dates the events this request causes (the demo's simulated days)
   * @returns {Promise<{ status: number, path: string }>} the final answer after redirects
   */
  async visit(path, { method = "GET", form, referer, at } = {}) {
    let url = new URL(path, this.baseUrl);
    let body = form ? new URLSearchParams(form).toString() : undefined;
    for (let hop = 0; hop < 5; hop++) {
      const headers = { "user-agent": this.userAgent, "accept-language": "en-GB,en;q=0.8" };
      const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      if (cookie) headers.cookie = cookie;
      if (referer) headers.referer = referer;
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      if (at) headers[CLOCK_HEADER] = at.toISOString();
      const res = await fetch(url, { method, headers, body, redirect: "manual", signal: AbortSignal.timeout(5000) });
      this.store(res.headers.getSetCookie());
      await res.arrayBuffer(); // read to the end so the connection can be reused
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) {
        if (res.status >= 400) throw new Error(`${this.name}: ${method} ${url.pathname} answered ${res.status}`);
        return { status: res.status, path: url.pathname + url.search };
      }
      // A browser follows a 303 with a GET, sending the page it came from as referrer.
      referer = url.href;
      url = new URL(location, url);
      method = "GET";
      body = undefined;
    }
    throw new Error(`${this.name}: too many redirects from ${path}`);
  }

  /** @param {string[]} lines `Set-Cookie` header lines */
  store(lines) {
    for (const line of lines) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((attribute) => {
        const [key, value = ""] = attribute.trim().split("=");
        const k = key.toLowerCase();
        return (k === "max-age" && Number(value) <= 0) || (k === "expires" && Date.parse(value) <= Date.now());
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
}
