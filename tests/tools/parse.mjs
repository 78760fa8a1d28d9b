// Parses an iCalendar or vCard file with ical.js (the parser Thunderbird
// uses) and prints it as JSON, in the same shapes as parse_ics.py and
// parse_vcf.py, so the Rust tests compare all parsers with the data alike.
// Usage: node parse.mjs FILE... (prints an object keyed by file name)
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';
import { printEachFile } from './each_file.mjs';


function when(time) {
  if (!time) return null;
  if (time.isDate) return time.toString();
  if (time.zone !== ICAL.Timezone.utcTimezone) throw new Error(`time not in UTC: ${time}`);
  return time.toJSDate().toISOString().replace('.000Z', 'Z');
}

function first(value) {
  return Array.isArray(value) ? value[0] : value;
}

function parse(path) {
  const parsed = ICAL.parse(readFileSync(path, 'utf8'));
  // Several components at the top level come back as a list of them.
  const roots = (typeof parsed[0] === 'string' ? [parsed] : parsed).map((j) => new ICAL.Component(j));
  return roots[0].name === 'vcalendar' ? calendar(roots) : cards(roots);
}

function calendar(roots) {
  if (roots.length !== 1) throw new Error('more than one calendar');
  const cal = roots[0];
  const events = cal.getAllSubcomponents('vevent').map((c) => {
    const e = new ICAL.Event(c);
    return {
      uid: e.uid,
      summary: e.summary,
      start: when(e.startDate),
      end: when(e.endDate),
      location: e.location,
      description: e.description,
      sequence: e.sequence,
      url: c.getFirstPropertyValue('url'),
      transparent: c.getFirstPropertyValue('transp') === 'TRANSPARENT',
    };
  });
  // ical.js has no type for RFC 7986's NAME and hands it over raw, so it is
  // decoded here as the TEXT that RFC 7986 says it is.
  const name = cal.getFirstPropertyValue('name');
  return { name: name === null ? null : ICAL.design.icalendar.value.text.fromICAL(name), events };
}

function cards(roots) {
  return roots.map((c) => {
    if (c.name !== 'vcard') throw new Error(`unexpected component ${c.name}`);
    const versions = c.getAllProperties('version');
    if (versions.length !== 1) throw new Error(`${versions.length} VERSION properties in a card`);
    const all = (name) => c.getAllProperties(name).map((p) => first(p.getFirstValue()));
    const n = c.getFirstPropertyValue('n');
    const adr = c.getFirstPropertyValue('adr');
    const showAs = c.getFirstPropertyValue('x-abshowas');
    let kind = (c.getFirstPropertyValue('kind') || 'individual').toLowerCase();
    if (showAs && showAs.toUpperCase() === 'COMPANY') kind = 'org';
    return {
      version: versions[0].getFirstValue(),
      kind,
      uid: c.getFirstPropertyValue('uid'),
      fn: c.getFirstPropertyValue('fn'),
      family: n ? first(n[0]) : null,
      given: n ? first(n[1]) : null,
      org: first(c.getFirstPropertyValue('org')) ?? null,
      title: c.getFirstPropertyValue('title'),
      roles: all('role'),
      country: adr ? first(adr[6]) : null,
      emails: all('email'),
      tels: all('tel'),
      urls: all('url'),
      photo: photo(c.getFirstPropertyValue('photo')),
    };
  });
}

// A card's PHOTO as base64: 3.0's inline binary (ENCODING=b) as read,
// 4.0's data: URI without its prefix.
function photo(value) {
  if (value === null || value === undefined) return null;
  const text = String(value);
  return text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
}

printEachFile(parse);
