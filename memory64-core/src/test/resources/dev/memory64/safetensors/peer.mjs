// The peer of SafetensorsPeerTest: Hugging Face's own JavaScript reader, @huggingface/hub's
// parseSafetensorsMetadata, reading checkpoints from a directory through a fetch that serves the
// files as the Hub's resolve URLs would (ranges, ETag, 404 with EntryNotFound). It prints every
// tensor's file, name, dtype, shape and data_offsets as the peer parsed them, with the SHA-256 of
// the tensor's bytes sliced from the file at 8 + header length + offsets.
//
//   node peer.mjs NODE_MODULES read ROOT PATH   PATH: a .safetensors file or an index in ROOT
//   node peer.mjs NODE_MODULES write FILE       writes a checkpoint with JSON.stringify, unpadded
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, mode, ...rest] = process.argv.slice(2);

if (mode === "write") {
  const [file] = rest;
  // Key order and spacing as JavaScript writes them; no padding to 8 bytes; data in reverse name
  // order, so that offsets and header order disagree.
  const tensors = [
    ["model.embed_tokens.weight", "F16", [5, 3]],
    ["model.layers.0.self_attn.q_proj.weight", "BF16", [3, 3]],
    ["model.layers.0.mlp.up_proj.weight", "I32", [7]],
    ["model.layers.1.input_layernorm.weight", "F32", [3]],
    ["model.norm.weight", "F64", [3]],
    ["lm_head.weight", "U8", [5, 3]],
  ];
  const width = { F16: 2, BF16: 2, I32: 4, F32: 4, F64: 8, U8: 1 };
  const header = { __metadata__: { writer: "peer.mjs" } };
  let offset = 0;
  const chunks = [];
  for (const [name, dtype, shape] of [...tensors].reverse()) {
    const size = shape.reduce((a, b) => a * b, 1) * width[dtype];
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + name.length * 7) & 0xff;
    header[name] = { dtype, shape, data_offsets: [offset, offset + size] };
    offset += size;
    chunks.push(bytes);
  }
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(file, Buffer.concat([length, json, ...chunks]));
  process.exit(0);
}

const [root, path] = rest;
const hub = await import(pathToFileURL(join(nodeModules, "@huggingface/hub/dist/index.mjs")).href);
const prefix = "/org/model/resolve/main/";

async function localFetch(url, init) {
  const pathname = decodeURIComponent(new URL(url).pathname);
  const file = pathname.startsWith(prefix) ? join(root, pathname.slice(prefix.length)) : null;
  if (!file || !existsSync(file) || !statSync(file).isFile()) {
    return new Response("not found", { status: 404, headers: { "X-Error-Code": "EntryNotFound" } });
  }
  const bytes = readFileSync(file);
  const range = new Headers(init?.headers ?? {}).get("Range");
  const etag = '"' + createHash("sha256").update(bytes).digest("hex") + '"';
  if (!range) {
    return new Response(bytes, { status: 200, headers: { ETag: etag, "Content-Length": String(bytes.length) } });
  }
  const [, a, b] = /bytes=(\d+)-(\d*)/.exec(range);
  const start = Number(a);
  const end = Math.min(b === "" ? bytes.length - 1 : Number(b), bytes.length - 1);
  return new Response(bytes.subarray(start, end + 1), {
    status: 206,
    headers: { ETag: etag, "Content-Range": `bytes ${start}-${end}/${bytes.length}` },
  });
}

const parsed = await hub.parseSafetensorsMetadata({
  repo: "org/model",
  path,
  hubUrl: "http://peer.invalid",
  fetch: localFetch,
});
const headers = parsed.sharded ? parsed.headers : { [path]: parsed.header };
const out = [];
for (const [fileName, header] of Object.entries(headers)) {
  const bytes = readFileSync(join(root, fileName));
  const dataStart = 8 + Number(bytes.readBigUInt64LE(0));
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = info.data_offsets;
    const sha = createHash("sha256").update(bytes.subarray(dataStart + begin, dataStart + end)).digest("hex");
    out.push([fileName, name, info.dtype, info.shape.join("x"), begin, end, sha].join(" "));
  }
}
console.log(out.join("\n"));
