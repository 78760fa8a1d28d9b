// Reads Atom feeds with @rowanmanning/feed-parser and prints what it found
// in each as JSON: {file: {feed: {...}, entries: [...]}}.
import { readFileSync } from "node:fs";
import { parseFeed } from "@rowanmanning/feed-parser";

const out = {};
for (const path of process.argv.slice(2)) {
  const feed = parseFeed(readFileSync(path, "utf8"));
  out[path] = {
    meta: feed.meta,
    feed: {
      id: feed.id,
      title: feed.title,
      updated: feed.updated ? feed.updated.toISOString() : null,
      url: feed.url,
      self: feed.self,
      authors: feed.authors.map((a) => ({ name: a.name, email: a.email })),
    },
    entries: feed.items.map((item) => ({
      id: item.id,
      title: item.title,
      updated: item.updated ? item.updated.toISOString() : null,
      published: item.published ? item.published.toISOString() : null,
      url: item.url,
      content: item.content,
    })),
  };
}
process.stdout.write(JSON.stringify(out));
