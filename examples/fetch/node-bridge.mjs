// A small bridge from node:http to a Web-standard handler, `(request: Request) => Response`:
// what Next.js, Bun or Deno do for you. Request bodies stream through; so do response bodies.
import { Readable } from "node:stream";

/** Headers of a node:http request as Web `Headers` (repeated headers appended). */
function toHeaders(incoming) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || name.startsWith(":")) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/**
 * A node:http request listener that runs `handler` and writes its Response.
 * @param {(request: Request, info: { ip: string | undefined }) => Response | Promise<Response>} handler
 */
export function toNodeListener(handler) {
  return async (req, res) => {
    try {
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, {
        method: req.method,
        headers: toHeaders(req.headers),
        body: hasBody ? Readable.toWeb(req) : undefined,
        duplex: "half",
      });
      const response = await handler(request, { ip: req.socket.remoteAddress });
      res.statusCode = response.status;
      for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) res.setHeader("set-cookie", cookies);
      if (response.body !== null) for await (const chunk of response.body) res.write(chunk);
      res.end();
    } catch (error) {
      console.error(error);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    }
  };
}
