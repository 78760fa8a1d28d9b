// What the JavaScript parsers share: the Rust tests give them files on the
// command line and read back one JSON object keyed by file name.

// Prints what `parse` makes of each file named on the command line, as one
// JSON object keyed by file name.
export function printEachFile(parse) {
  const out = {};
  for (const path of process.argv.slice(2)) out[path] = parse(path);
  console.log(JSON.stringify(out, null, 1));
}
