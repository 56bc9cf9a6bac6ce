/**
 * The values the Date operators compare: "one of the W3C implementations of the ISO 8601 date formats
 * or in epoch (UNIX) time" (IAM condition operators). aws:CurrentTime is the former, aws:EpochTime the
 * latter, in seconds.
 */

// YYYY, YYYY-MM, YYYY-MM-DD, then optionally Thh:mm[:ss[.s…]] and a zone; a time without zone is UTC.
const ISO_8601 = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/;

/** Milliseconds since the epoch, or undefined for text that is no date. */
export function parseDate(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const m = ISO_8601.exec(text);
  if (m === null) return undefined;
  const [year, month = 1, day = 1, hour = 0, minute = 0, second = 0] = m
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  // setUTCFullYear, unlike Date.UTC, leaves years below 100 alone.
  const date = new Date(0);
  date.setUTCFullYear(year!, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  // Dates roll 2024-02-30 over into March; one that does not come back unchanged was no date.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return date.getTime() - zoneOffsetMillis(m[8]);
}

function zoneOffsetMillis(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  return (zone.startsWith('-') ? -minutes : minutes) * 60_000;
}
