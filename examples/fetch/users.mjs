// The app's service layer: no request in sight, only threadline's module-level calls.
// The request scope gives them the visitor's anonymousId and the request's context.
import { randomUUID } from "node:crypto";
import { identify, track } from "threadline";

const users = new Map(); // email -> userId; a real app has a database

export async function createUser(email) {
  await new Promise((resolve) => setTimeout(resolve, 5)); // the database round trip
  const userId = users.get(email) ?? `user-${randomUUID()}`;
  users.set(email, userId);
  identify({ userId, traits: { email } });
  track({ userId, event: "Signed Up", properties: { method: "email" } });
  return userId;
}
