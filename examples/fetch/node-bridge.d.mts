import type { RequestListener } from "node:http";
export function toNodeListener(
  handler: (request: Request, info: { ip: string | undefined }) => Response | Promise<Response>,
): RequestListener;
