import { z } from "zod";

/**
 * Request and response bodies of the VPS.org snapshots and backups API, one schema per shape the vendor documentation
 * documents (../shared/seeds/001_bee8f33b0bef28a6.txt, snapshots; 003_7ffc11edc49a36a0.txt, backups).
 * Every TypeScript type below is inferred from its schema. Rules used throughout:
 * - objects are loose: fields the vendor adds later pass through instead of failing a `pulumi up`;
 * - a field every example shows is required; a field some example shows as `null` is nullable;
 * - statuses are plain strings: the vendor documentation shows only `in_progress` and `completed`, so any other value
 *   (`failed`, `error`, ...) reaches the waiter, which treats it as a failure, instead of becoming an
 *   "unexpected response";
 * - where the vendor documentation shows no body at all (error answers, the backup restore answer, the Servers API),
 *   the schema is the most permissive one the code can still act on, and says so.
 */

/** The vendor documentation's pagination envelope (`count`, `results`). `next`/`previous` are not shown by the vendor documentation;
 * they are read when present (the shape is Django REST Framework's) and never required. */
export function page<T extends z.ZodType>(item: T) {
  return z.looseObject({
    count: z.number().int().nonnegative(),
    next: z.string().nullish(),
    previous: z.string().nullish(),
    results: z.array(item),
  });
}

/** The server as embedded in snapshots and backups: `{id, name}`; the restore answer adds `status`. */
export const embeddedServerSchema = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  /** Only in the restore answer (`"restoring"`); read when present to know whether a server runs. */
  status: z.string().optional(),
});

/** Statuses the vendor documentation shows. Anything else is a failure (see provider/vpsorg/wait.ts). */
export const STATUS = { inProgress: "in_progress", completed: "completed" } as const;

/** The fields snapshots and backups have alike. */
const listedObjectFields = {
  id: z.number().int(),
  server: embeddedServerSchema,
  status: z.string(),
  /** MB; `null` while the object is being created. */
  size_mb: z.number().nullable(),
  /** ISO 8601, e.g. `2025-01-15T18:30:00Z`. */
  created_at: z.string(),
  /** The create answer shows it; an object created without one may come back null or empty. */
  description: z.string().nullish(),
  /** Only in the create answer ("Snapshot is being created..."). */
  message: z.string().optional(),
};

export const snapshotSchema = z.looseObject({ ...listedObjectFields, name: z.string() });
export type Snapshot = z.infer<typeof snapshotSchema>;

export const snapshotListSchema = page(snapshotSchema);
export type SnapshotList = z.infer<typeof snapshotListSchema>;

/** The vendor documentation's limit: "You can have a maximum of 5 snapshots per server." */
export const MAX_SNAPSHOTS_PER_SERVER = 5;

/** "Назва для здымка (літарна-лічбавая, злучкі, падкрэсліванне)": letters, digits, hyphens, underscores.
 * Read as ASCII, the defensive reading of "alphanumeric". The vendor documentation gives no length limit; 255 is the
 * common column width and keeps an absurd value out. */
export const SNAPSHOT_NAME = /^[A-Za-z0-9_-]+$/;
export const SNAPSHOT_NAME_MAX = 255;

export const snapshotCreateRequestSchema = z.strictObject({
  server_id: z.number().int().positive(),
  name: z.string().regex(SNAPSHOT_NAME).max(SNAPSHOT_NAME_MAX),
  description: z.string().optional(),
});
export type SnapshotCreateRequest = z.infer<typeof snapshotCreateRequestSchema>;

/** The answer of `POST /snapshots/{id}/restore/`: `status: "success"` means the restore has started. */
export const snapshotRestoreSchema = z.looseObject({
  status: z.string(),
  message: z.string().optional(),
  snapshot: z.looseObject({ id: z.number().int(), name: z.string().optional(), created_at: z.string().optional() }).optional(),
  server: embeddedServerSchema.partial({ name: true }).optional(),
});
export type RestoreAnswer = z.infer<typeof snapshotRestoreSchema>;

export const BACKUP_TYPES = ["manual", "automatic"] as const;

export const backupSchema = z.looseObject({
  ...listedObjectFields,
  /** `manual` or `automatic`; kept a string so a new type does not break a refresh. */
  backup_type: z.string(),
  /** `null` for manual backups ("Ручне резервне копије не истичу аутоматски"). */
  expires_at: z.string().nullable(),
});
export type Backup = z.infer<typeof backupSchema>;

export const backupListSchema = page(backupSchema);
export type BackupList = z.infer<typeof backupListSchema>;

/** From the comparison table in the VPS.org snapshots documentation: "10 manual + automatic backups". Read as: at most
 * 10 manual backups per server, automatic ones not counted (they expire on their own). */
export const MAX_MANUAL_BACKUPS_PER_SERVER = 10;

export const backupCreateRequestSchema = z.strictObject({
  server_id: z.number().int().positive(),
  description: z.string().optional(),
});
export type BackupCreateRequest = z.infer<typeof backupCreateRequestSchema>;

/** `POST /servers/{server_id}/restore/` with `{"backup_id": 501}`. */
export const backupRestoreRequestSchema = z.strictObject({
  backup_id: z.number().int().positive(),
});

/** The vendor documentation shows no answer for the backup restore (it points at the Servers API docs, which are not
 * part of the vendor documentation): any JSON object, read like the snapshot restore answer where fields match. */
export const backupRestoreSchema = z.looseObject({
  status: z.string().optional(),
  message: z.string().optional(),
  server: embeddedServerSchema.partial({ name: true }).optional(),
});

/**
 * `GET /servers/{id}/` of the Servers API, which the VPS.org backups documentation points to but does not show. Only
 * `id` and `status` are relied on (the restore answer shows `status: "restoring"` on the same object).
 */
export const serverSchema = z.looseObject({
  id: z.number().int(),
  name: z.string().optional(),
  status: z.string().optional(),
});
export type Server = z.infer<typeof serverSchema>;

/** Server statuses that mean "a restore is still running" and ones that mean it failed. */
export const SERVER_RESTORING = "restoring";
export const SERVER_FAILED = ["error", "failed", "restore_failed"];

/** DELETE answers 204 with no body. */
export const emptySchema = z.unknown();

/**
 * Error bodies. The vendor documentation lists the status codes (400 "Invalid parameters or snapshot limit reached",
 * 401 "invalid or missing token", 404 "does not exist") but shows no error body. The API's shape
 * (`count`/`results`, trailing slashes) is Django REST Framework's, so these are read, in order:
 * `{"detail": "..."}`, `{"error": "...", "message": "..."}`, `{"message": "..."}`,
 * `{"non_field_errors": ["..."]}` and field errors `{"name": ["..."]}`. Anything else is shown as text.
 */
export const errorBodySchema = z.union([
  z.looseObject({ detail: z.string() }),
  z.looseObject({ error: z.string(), message: z.string().optional(), code: z.string().optional() }),
  z.looseObject({ message: z.string(), code: z.string().optional() }),
  z.record(z.string(), z.union([z.array(z.string()), z.string()])),
]);
