/** The one line `threadline export` keeps rewriting on a terminal; nothing when off. */
export interface Progress {
  update(read: number, loaded: number): void;
  done(): void;
}

const EVERY_MS = 200;

export function progressLine(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!enabled) return { update() {}, done() {} };
  const started = Date.now();
  let last = 0;
  let shown = false;
  const draw = (read: number, loaded: number): void => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    const rate = Math.round(read / seconds);
    stream.write(
      `\r\x1b[2Kthreadline export: ${read.toLocaleString("en")} events read, ${loaded.toLocaleString("en")} loaded · ${rate.toLocaleString("en")}/s`,
    );
    shown = true;
  };
  let latest: [number, number] = [0, 0];
  return {
    update(read, loaded) {
      latest = [read, loaded];
      // Throttled: redrawing per batch would cost more than the batch on a slow terminal.
      const now = Date.now();
      if (now - last < EVERY_MS) return;
      last = now;
      draw(read, loaded);
    },
    done() {
      if (!shown) return;
      draw(...latest);
      stream.write("\n");
    },
  };
}
