import type { Analytics } from "threadline";

export declare const analytics: Analytics;
export declare function handler(event: {
  userId?: string;
  orderId?: string;
  total?: number;
  currency?: string;
}): Promise<{ statusCode: number; body: string }>;
