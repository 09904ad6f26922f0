// Turns the collector's stitched journey (GET /dev/users/:userId) into terminal text.
// Pure functions of their input, so what the demo prints is what the collector answered.

const WHEN = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "2-digit",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** "Tue, 17 Nov, 09:14:00" → "Tue 17 Nov 09:14:00": one fixed width, no commas. */
export const when = (time) => WHEN.format(new Date(time)).replaceAll(",", "");

const pad = (text, width) => String(text).padEnd(width);
const shortId = (id) => (id.length > 13 ? `${id.slice(0, 8)}…` : id);

/** What a message says, in a few words. */
function describe(event) {
  const page = event.context?.page ?? {};
  switch (event.type) {
    case "page":
      return `${pad(event.name ?? "", 9)} ${page.path ?? ""}${page.search ?? ""}`;
    case "identify": {
      const traits = Object.entries(event.traits ?? {}).map(([key, value]) => `${key}=${value}`);
      return `userId=${event.userId}${traits.length ? `  ${traits.join(" ")}` : ""}`;
    }
    case "track":
      return event.event;
    case "alias":
      return `${event.previousId} → ${event.userId}`;
    default:
      return event.name ?? event.event ?? "";
  }
}

/**
 * @param {object} journey the collector's answer for one user
 * @param {Map<string, string>} deviceNames anonymousId → the demo's name for the device
 * @returns {string[]} lines to print
 */
export function formatJourney(journey, deviceNames) {
  const device = (id) => deviceNames.get(id) ?? (id ? shortId(id) : "-");
  const touch = journey.firstTouch ?? {};
  const campaign = [touch.source, touch.medium, touch.campaign].filter(Boolean).join(" / ") || "direct";
  const firstIdentify = journey.events.find((event) => event.type === "identify");
  // The visits per device, each named by how it began (the collector's session entries).
  const sessions = journey.sessions ?? [];
  const entry = ({ source, medium, campaign, referrer }) =>
    [source, medium, campaign].filter(Boolean).join(" / ") || (referrer ? `from ${new URL(referrer).host}` : "direct");
  const visits = journey.anonymousIds.map((id) => {
    const own = sessions.filter((session) => session.anonymousId === id);
    return `${device(id)} ${own.length} (${own.map((session) => entry(session.entry)).join(", ")})`;
  });
  const lines = [
    `Stitched journey of ${journey.userId}, as the collector tells it (GET /dev/users/${journey.userId}):`,
    "",
    `  devices      ${journey.devices}: ${journey.anonymousIds.map((id) => `${device(id)} (aid ${shortId(id)})`).join(", ")}`,
    `  first touch  ${campaign}${touch.referrer ? `, referrer ${touch.referrer}` : ""}`,
    `  identified   ${journey.identifiedAt ? when(journey.identifiedAt) : "never"}${firstIdentify ? ` (identify on ${device(firstIdentify.anonymousId)})` : ""}`,
    `  visits       ${sessions.length}: ${visits.join(", ")}`,
    "",
    `  ${pad("when", 21)} ${pad("device", 7)} ${pad("phase", 10)} ${pad("type", 9)} what`,
  ];
  for (const event of journey.events) {
    // Each identify is where that device's anonymous history joins the user.
    if (event.type === "identify") {
      lines.push(`  ── identify on ${device(event.anonymousId)}: its anonymous history stitches to ${event.userId} ──`);
    }
    lines.push(
      `  ${pad(when(event.timestamp), 21)} ${pad(device(event.anonymousId), 7)} ${pad(event.phase, 10)} ${pad(event.type, 9)} ${describe(event)}`,
    );
  }
  return lines;
}
