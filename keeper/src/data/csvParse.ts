/**
 * Minimal RFC 4180 CSV reader: comma separated, optional double-quoted fields (with `""` as an
 * escaped quote and commas or newlines inside quotes), LF or CRLF line ends. The shared data's
 * `price_basis` column quotes commas, so a naive split would shift columns.
 */
import { DataError } from "../core/errors.js";

/** Rows of `text`, each an array of raw field strings; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (quoted) {
      if (ch === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      // Copy the run of ordinary characters in one slice: far faster than char by char.
      const next = text.indexOf('"', i);
      const end = next < 0 ? n : next;
      field += text.slice(i, end);
      i = end;
      continue;
    }
    if (ch === 44 /* , */) {
      row.push(field);
      field = "";
      i++;
    } else if (ch === 10 /* \n */ || ch === 13 /* \r */) {
      row.push(field);
      field = "";
      if (row.length > 1 || (row[0] ?? "") !== "") rows.push(row);
      row = [];
      i += ch === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else if (ch === 34 && field === "") {
      quoted = true;
      i++;
    } else {
      let end = i;
      while (end < n) {
        const c = text.charCodeAt(end);
        if (c === 44 || c === 10 || c === 13) break;
        end++;
      }
      field += text.slice(i, end);
      i = end;
    }
  }
  if (quoted) throw new DataError("CSV: unterminated quoted field");
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
