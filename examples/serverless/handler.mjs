// A serverless function (AWS Lambda style; the same shape works on Vercel, Netlify,
// Cloud Functions) that records a completed order.
//
// The one rule: `await analytics.flush()` before returning. Once the handler returns, the
// platform may freeze the process until the next invocation, or never wake it again, so
// anything still queued would leave late or not at all.
import { Analytics } from "threadline";

// Created once per process (a cold start) and reused by every warm invocation: its
// keep-alive connection to the collector outlives one call. Host and write key come from
// THREADLINE_HOST / THREADLINE_WRITE_KEY. Never close() it in the handler: the next
// invocation in this process needs it.
export const analytics = new Analytics();

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

  // Resolves once both calls are delivered (or definitively failed); it never rejects,
  // so tracking can't fail the order. The counts are there to log or alert on.
  const sent = await analytics.flush();
  if (sent.failed > 0 || sent.dropped > 0) console.warn(`threadline: ${sent.failed} failed, ${sent.dropped} dropped`);

  return { statusCode: 200, body: JSON.stringify({ orderId }) };
}
