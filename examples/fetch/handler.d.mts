import type { FetchOptions } from "threadline/fetch";

export function createHandler(options?: {
  identity?: FetchOptions;
}): (request: Request, info?: { ip?: string }) => Promise<Response>;
