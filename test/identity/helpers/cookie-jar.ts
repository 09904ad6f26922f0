import type { Reply } from "./http.js";

/** A browser's cookie jar, as far as these tests need one: name → value; `Max-Age=0` deletes. */
export class CookieJar {
  readonly values = new Map<string, string>();
  /** Every `Set-Cookie` line received, in order. */
  readonly received: string[] = [];

  take(reply: Reply): Reply {
    for (const line of reply.setCookies) {
      this.received.push(line);
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      if (/;\s*max-age=0(;|$)/i.test(line)) this.values.delete(name);
      else this.values.set(name, pair!.slice(eq + 1).trim());
    }
    return reply;
  }

  header(): string {
    return [...this.values].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** How many lines set `name` so far. */
  writes(name: string): number {
    return this.received.filter((line) => line.startsWith(`${name}=`)).length;
  }
}
