import { Agent, request } from "node:http";
import { ThreadlineError } from "../../errors.js";
import { isUnreachable } from "./driver.js";
import type { ClickHouseTarget } from "./target.js";

const REQUEST_TIMEOUT_MS = 120_000;

/**
 * ClickHouse's HTTP interface over node:http: the query in the URL, data (if any) in the
 * body. Plain HTTP and a handful of parameters that every version since 1.1 knows, so it
 * speaks to Debian's 18.16 and to current releases alike.
 */
export class ClickHouseHttp {
  // Keep-alive: a load is hundreds of small requests to the same server.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 2 });

  constructor(private readonly target: ClickHouseTarget) {}

  /** Runs one statement; resolves to the response body (text). */
  query(sql: string, options: { database?: string; body?: string } = {}): Promise<string> {
    const params = new URLSearchParams();
    if (options.database !== undefined) params.set("database", options.database);
    let body: string;
    if (options.body === undefined) {
      body = sql;
    } else {
      params.set("query", sql);
      body = options.body;
    }
    const headers: Record<string, string | number> = {
      "Content-Type": "text/plain; charset=utf-8",
      "Content-Length": Buffer.byteLength(body),
    };
    if (this.target.user !== undefined || this.target.password !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${this.target.user ?? "default"}:${this.target.password ?? ""}`).toString("base64")}`;
    }
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.target.host,
          port: this.target.port,
          method: "POST",
          path: `/?${params}`,
          headers,
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("error", reject);
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode === 200) return resolve(text);
            const first = text.trim().split("\n")[0] ?? "";
            reject(
              new ThreadlineError("export_failed", `ClickHouse answered ${res.statusCode}: ${first.slice(0, 500)}`, {
                status: res.statusCode,
              }),
            );
          });
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })));
      req.on("error", (error) => {
        if (isUnreachable(error)) {
          const code = (error as { code?: string }).code ?? "unreachable";
          reject(
            new ThreadlineError("export_unreachable", `cannot reach ClickHouse at ${this.target.display} (${code})`, {
              cause: error,
            }),
          );
        } else {
          reject(new ThreadlineError("export_failed", `ClickHouse: ${error.message}`, { cause: error }));
        }
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
