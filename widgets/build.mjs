// Builds the widgets into dist/ (committed; embedded in the Go binary):
// content-hashed bundles, then the loader that names them, and
// manifest.json for the Go handlers. Run: npm ci && npm run build
import * as esbuild from "esbuild";
import { rmSync, mkdirSync, writeFileSync, readdirSync } from "node:fs";
import { basename } from "node:path";

rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
const common = { bundle: true, minify: true, format: "iife", target: ["es2020"], legalComments: "none", logLevel: "warning", charset: "utf8" };
const res = await esbuild.build({
  ...common,
  entryPoints: { listings: "src/listings.js", map: "src/map.js" },
  outdir: "dist",
  entryNames: "[name]-[hash]",
  loader: { ".css": "text" },
  metafile: true,
});
const bundles = {};
for (const [out, meta] of Object.entries(res.metafile.outputs)) {
  if (!meta.entryPoint) continue;
  bundles[basename(meta.entryPoint, ".js")] = basename(out);
}
await esbuild.build({ ...common, entryPoints: ["src/embed.js"], outfile: "dist/embed.js", define: { __BUNDLES__: JSON.stringify(bundles) } });
writeFileSync("dist/manifest.json", JSON.stringify({ bundles, loader: "embed.js" }, null, 2) + "\n");
console.log(readdirSync("dist").join("\n"));
