import { createHmac } from "node:crypto";
import { ThreadlineError } from "./errors.js";
import type { BeforeSend, OutgoingMessage } from "./before-send.js";

export interface PseudonymizeOptions {
  /** Dotted paths into the message: `"traits.email"`, `"context.ip"`, `"properties.phone"`. */
  fields: readonly string[];
  /** The HMAC key. Keep it secret and stable: the same key gives the same pseudonym, so joins still work. */
  key: string | Buffer;
}

const configError = (text: string) => new ThreadlineError("config", `pseudonymize(): ${text}`);

/**
 * A `beforeSend` step replacing each named field with its HMAC-SHA256 (hex) under `key`.
 * Strings and numbers are hashed as `String(value)` in UTF-8; other values and missing
 * paths are left as they are.
 *
 *     new Analytics({ beforeSend: pseudonymize({ fields: ["traits.email", "context.ip"], key }) })
 */
export function pseudonymize(options: PseudonymizeOptions): BeforeSend {
  if (options === null || typeof options !== "object") throw configError("takes { fields, key }");
  const { fields, key } = options;
  if (!Array.isArray(fields) || fields.some((f) => typeof f !== "string" || f === "" || f.split(".").includes(""))) {
    throw configError('`fields` must be a list of dotted paths such as "traits.email"');
  }
  if (!(typeof key === "string" && key !== "") && !(Buffer.isBuffer(key) && key.length > 0)) {
    throw configError("`key` must be a non-empty string or Buffer");
  }
  const paths = fields.map((field) => field.split("."));
  return function pseudonymizeStep(message: OutgoingMessage): OutgoingMessage {
    for (const path of paths) replaceAt(message, path, key);
    return message;
  };
}

function replaceAt(root: Record<string, unknown>, path: readonly string[], key: string | Buffer): void {
  let node: unknown = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== "object") return;
    node = (node as Record<string, unknown>)[path[i]!];
  }
  if (node === null || typeof node !== "object") return;
  const holder = node as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (!Object.prototype.hasOwnProperty.call(holder, last)) return;
  const value = holder[last];
  if (typeof value !== "string" && typeof value !== "number") return;
  holder[last] = createHmac("sha256", key).update(String(value), "utf8").digest("hex");
}
