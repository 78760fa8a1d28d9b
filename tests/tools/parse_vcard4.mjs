// Parses a vCard 4.0 file with npm's vcard4 and prints each card as JSON, in
// the shape of parse_vcf.py and parse.mjs, so the Rust tests compare it with
// the data like the others. vcard4 splits every value at each unescaped `;`
// and `,`, as Evolution does, so a separator left bare in a single text
// value (FN, TITLE) comes back as a list of parts, not as the text.
// Usage: node parse_vcard4.mjs FILE... (prints an object keyed by file name)
import { readFileSync } from 'node:fs';
import { parse as parseVcard } from 'vcard4';
import { printEachFile } from './each_file.mjs';

function cards(path) {
  const parsed = parseVcard(readFileSync(path, 'utf8'));
  // One card comes back alone, several as a list.
  return (Array.isArray(parsed) ? parsed : [parsed]).map((card) => {
    const values = (name) => card.getProperty(name).map((p) => p.value);
    const one = (name) => {
      const found = values(name);
      if (found.length > 1) throw new Error(`${name} appears ${found.length} times in a card`);
      return found.length ? found[0] : null;
    };
    const n = one('n');
    const adr = one('adr');
    return {
      // vcard4 reads 4.0 only: it refuses any other VERSION, and keeps none.
      version: '4.0',
      kind: (one('kind') || 'individual').toLowerCase(),
      uid: one('uid'),
      fn: one('fn'),
      family: n ? n.familyNames : null,
      given: n ? n.givenNames : null,
      org: one('org'),
      title: one('title'),
      roles: values('role'),
      country: adr ? adr.countryName : null,
      emails: values('email'),
      tels: values('tel'),
      urls: values('url'),
      // The data: URI's base64, as parse.mjs gives it.
      photo: ((uri) => (uri === null ? null : String(uri).slice(String(uri).indexOf(',') + 1)))(one('photo')),
    };
  });
}

printEachFile(cards);
