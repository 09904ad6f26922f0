// The app code the request scope is for: service functions with no `req` in sight,
// calling threadline's module-level functions.
import { setTimeout as sleep } from "node:timers/promises";
import { identify, track } from "../../../src/default-client.js";

let next = 0;

/** Creates a user as an app's service layer would: awaits (a database), then tells analytics. */
export async function createUser(email: string): Promise<string> {
  await sleep(1);
  const userId = `user-${process.pid}-${++next}`;
  await Promise.resolve();
  identify({ userId, traits: { email } });
  setImmediate(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  track({ userId, event: "Signed Up", properties: { plan: "free" } });
  return userId;
}

/** Awaits everything a route might — timers, promise chains, a streamed body — then tracks with no ids given. */
export async function busyThenTrack(tag: string, body: AsyncIterable<unknown> | undefined): Promise<number> {
  let bytes = 0;
  if (body !== undefined) for await (const chunk of body) bytes += (chunk as { length: number }).length;
  await sleep(Math.floor(Math.random() * 5));
  await Promise.resolve()
    .then(() => new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3))))
    .then(() => new Promise((resolve) => setImmediate(resolve)));
  await new Promise((resolve) => process.nextTick(resolve));
  track({ event: "Isolated", properties: { tag, bytes } });
  return bytes;
}

/** An identify binds the user for the rest of the request: a later bare track carries it. */
export async function identifyThenTrack(userId: string | undefined): Promise<void> {
  if (userId !== undefined) identify({ userId });
  await sleep(1);
  track({ event: "After Identify" });
}
