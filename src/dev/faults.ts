import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { drain, sendError, HttpError } from "./http.js";
import type { ResolvedFaults } from "./options.js";

/**
 * Plays the configured faults on a `/v1/*` request before anything of it is read or
 * stored. Resolves true when the request was failed here (answered or its socket
 * destroyed), false when it should go on to normal ingest.
 */
export async function injectFault(req: IncomingMessage, res: ServerResponse, faults: ResolvedFaults): Promise<boolean> {
  if (faults.latencyMs > 0) await sleep(faults.latencyMs);
  if (faults.failRate === 0 || Math.random() >= faults.failRate) return false;
  if (faults.dropConnections) {
    // What a crashed or overloaded collector looks like to a client: no answer at all.
    req.socket.destroy();
    return true;
  }
  await drain(req);
  const headers: Record<string, string> =
    faults.retryAfter !== undefined ? { "Retry-After": String(faults.retryAfter) } : {};
  sendError(
    res,
    new HttpError(
      faults.status,
      "injected_fault",
      `Fault injected by threadline dev (status ${faults.status}).`,
      headers,
    ),
  );
  return true;
}
