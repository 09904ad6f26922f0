// A serverless function (AWS Lambda style; the same shape works on Vercel, Netlify,
// Cloud Functions) that records a completed order.
//
// The one rule: `await analytics.flush({ timeoutMs })` before returning. Once the handler
// returns, the platform may freeze the process until the next invocation, or never wake it
// again, so anything still queued would leave late or not at all. The deadline keeps a
// down collector from holding the function until the platform kills it.
import { Analytics } from "threadline";

// Created once per process (a cold start) and reused by every warm invocation: its
// keep-alive connection to the collector outlives one call. Host and write key come from
// THREADLINE_HOST / THREADLINE_WRITE_KEY. Never close() it in the handler: the next
// invocation in this process needs it.
export const analytics = new Analytics();

// Well inside the function's own timeout (Lambda's default is 3 s).
const FLUSH_DEADLINE_MS = Number(process.env.FLUSH_DEADLINE_MS ?? 1500);

/**
 * @param {{ userId?: string, orderId?: string, total?: number, currency?: string }} event
 * @returns {Promise<{ statusCode: number, body: string }>}
 */
export async function handler(event) {
  const { userId, orderId, total, currency = "EUR" } = event ?? {};
  if (typeof userId !== "string" || !userId || typeof orderId !== "string" || typeof total !== "number") {
    return { statusCode: 400, body: JSON.stringify({ error: "userId, orderId and total are needed" }) };
  }

  // ...the function's real work (charge, store the order) would happen here...

  analytics.identify({ userId, traits: { lastOrderId: orderId } });
  analytics.track({ userId, event: "Order Completed", properties: { orderId, total, currency } });

  // Resolves once both calls are delivered (or definitively failed), or at the deadline;
  // it never rejects, so tracking can't fail the order. What is still `pending` then is
  // not lost: it stays queued, with its retries, and the next invocation's flush sends it.
  const sent = await analytics.flush({ timeoutMs: FLUSH_DEADLINE_MS });
  if (sent.failed > 0 || sent.dropped > 0 || sent.pending > 0) {
    console.warn(
      `threadline: ${sent.failed} failed, ${sent.dropped} dropped, ${sent.pending} pending for the next invocation`,
    );
  }

  return { statusCode: 200, body: JSON.stringify({ orderId }) };
}
