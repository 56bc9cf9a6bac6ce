/**
 * RFC 4013 SASLprep as libpq and PostgreSQL apply it to a password before SCRAM hashing, so a
 * verifier we make accepts the same non-ASCII passwords theirs do. Like PostgreSQL, a password
 * that SASLprep would reject is used as it is. The unassigned-code-point and bidirectional checks
 * are left out: they need Unicode 3.2 tables, and our own passwords are ASCII.
 */

/** RFC 3454 C.1.2, mapped to a space. */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
/** RFC 3454 B.1, mapped to nothing. */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
/** RFC 3454 C.2 to C.9: controls, private use, non-characters, surrogates, tagging and bidi marks. */
const PROHIBITED =
  /[\u0000-\u001F\u007F-\u009F\u0340\u0341\u06DD\u070F\u180E\u200C-\u200F\u2028-\u202E\u2060-\u2063\u206A-\u206F\u2FF0-\u2FFB\uD800-\uDFFF\uE000-\uF8FF\uFDD0-\uFDEF\uFEFF\uFFF9-\uFFFF]|[\u{1D173}-\u{1D17A}\u{E0001}\u{E0020}-\u{E007F}\u{F0000}-\u{10FFFF}]|[\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}]/u;
const ASCII = /^[\x00-\x7F]*$/;

export function saslprep(password: string): string {
  if (ASCII.test(password)) return password;
  const prepared = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  return prepared === '' || PROHIBITED.test(prepared) ? password : prepared;
}
