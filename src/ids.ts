import { v4 as uuidv4 } from "uuid";

/** A fresh anonymous id (UUID v4) for server code that has no browser to take one from. */
export function newAnonymousId(): string {
  return uuidv4();
}
