import type { FastifyInstance } from "fastify";
import type { IdentityOptions } from "threadline/fastify";

export function createFastifyApp(options?: { identity?: IdentityOptions }): Promise<FastifyInstance>;
