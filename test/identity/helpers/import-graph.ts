// What loading a source file loads, read from esbuild's metafile (nothing is written).
import { build, type Metafile } from "esbuild";

async function metafileOf(entry: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return result.metafile;
}

/** The packages `entry` and the files it imports name (the externals of its bundle). */
export async function importedPackages(entry: string): Promise<string[]> {
  const { inputs } = await metafileOf(entry);
  const imports = Object.values(inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
  return [...new Set(imports)].sort();
}

/** Every source file reachable from `entry` by static imports (what loading it loads). */
export async function staticallyLoaded(entry: string): Promise<string[]> {
  const { inputs } = await metafileOf(entry);
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    for (const edge of inputs[file]?.imports ?? []) {
      if (edge.external || edge.kind === "dynamic-import" || seen.has(edge.path)) continue;
      seen.add(edge.path);
      queue.push(edge.path);
    }
  }
  return [...seen].sort();
}
