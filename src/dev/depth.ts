/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`. One pass over the
 * characters, before parsing: a 5,000-level body parses fine but later overflows the stack
 * of whatever walks it recursively (stringify on append, on /dev/rejected, in the page).
 * Brackets inside strings do not count; the text need not be valid JSON.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i += 1;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return false;
}
