import { z } from "zod";

/**
 * NetAngels backup dates, e.g. `2024-11-29T04:26:40.900150729`: the vendor documentation's format has nine fractional
 * digits (nanoseconds). A JavaScript `Date` keeps milliseconds, so a backup date never passes through
 * one: it stays the exact string the API gave, is checked with a pattern, and is put into URLs as is.
 *
 * The vendor documentation shows no time zone on these dates. An offset (`Z`, `+03:00`) is still accepted, so a listing
 * that carries one keeps working; the string is passed on unchanged either way.
 */

const DAY = "\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])";
const TIME = "(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d";
const FRACTION = "(?:\\.\\d{1,9})";
const ZONE = "(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)";

/** Whole-second part, optional 1–9 fractional digits, optional zone. */
export const BACKUP_DATE_PATTERN = new RegExp(`^${DAY}T${TIME}${FRACTION}?${ZONE}?$`);

export const BACKUP_DATE_RULE =
  "must be a backup date as the API lists it, YYYY-MM-DDTHH:MM:SS with an optional fraction of 1–9 digits (e.g. 2024-11-29T04:26:40.900150729); " +
  "copy it from getVmBackups / getVolumeBackups";

/** A backup date kept as the API's string; never converted to a Date. */
export const backupDateSchema = z.string().regex(BACKUP_DATE_PATTERN, BACKUP_DATE_RULE);

const PARTS = new RegExp(`^(${DAY}T${TIME})(?:\\.(\\d{1,9}))?(${ZONE})?$`);

export interface BackupDateParts {
  /** `2024-11-29T04:26:40` */
  wholeSecond: string;
  /** The fractional digits as written (`900150729`), empty when there are none. */
  fraction: string;
  zone: string;
}

export function backupDateParts(date: string): BackupDateParts | undefined {
  const m = PARTS.exec(date);
  if (!m) return undefined;
  return { wholeSecond: m[1], fraction: m[2] ?? "", zone: m[3] ?? "" };
}

/**
 * Orders two backup dates of one listing without a Date: whole seconds compare as text (fixed width),
 * fractions compare as nine-digit text (`.9` is `.900000000`). Zones are not converted: the dates of
 * one listing come from the same API and share its zone.
 */
export function compareBackupDates(a: string, b: string): number {
  const pa = backupDateParts(a);
  const pb = backupDateParts(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  const ka = `${pa.wholeSecond}.${pa.fraction.padEnd(9, "0")}`;
  const kb = `${pb.wholeSecond}.${pb.fraction.padEnd(9, "0")}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The newest of some dates, or undefined for none. */
export function latestBackupDate(dates: string[]): string | undefined {
  return dates.reduce<string | undefined>((best, d) => (best === undefined || compareBackupDates(d, best) > 0 ? d : best), undefined);
}

/**
 * Which listed dates a requested date names: the exact string, or, for a request without a fraction
 * (the volume rollback path accepts one, see its client method), every listed date in that second.
 */
export function matchingBackupDates(requested: string, listed: string[]): string[] {
  if (listed.includes(requested)) return [requested];
  const req = backupDateParts(requested);
  if (!req || req.fraction !== "") return [];
  return listed.filter((d) => {
    const p = backupDateParts(d);
    return p !== undefined && p.wholeSecond === req.wholeSecond && p.zone === req.zone;
  });
}
