import { Agent, request } from "node:http";

/** POST a body in chunks, a few ms apart (a streamed upload), bounded in time. */
export function postStreamed(
  url: string,
  cookie: string,
  chunks: string[],
  agent: Agent,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { cookie, "content-type": "text/plain" }, timeout: 20_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url} timed out`)));
    req.on("error", reject);
    let index = 0;
    const writeNext = (): void => {
      if (index === chunks.length) return void req.end();
      req.write(chunks[index++]);
      setTimeout(writeNext, Math.floor(Math.random() * 4));
    };
    writeNext();
  });
}
