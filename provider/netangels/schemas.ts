import { z } from "zod";
import { backupDateSchema } from "./dates";

/**
 * Response bodies of the NetAngels cloud VDS backups API, one schema per shape the vendor documentation
 * (../shared/seeds/000_191f9ccbad66c53d.txt) documents. Types are inferred from the schemas.
 *
 * The vendor documentation lists fields and their types but shows no JSON example and leaves the nested types (Disk,
 * Image, VMFinance, VMIP, Backup, Task) undescribed. Readings:
 * - objects are loose: fields the vendor adds pass through instead of failing a `pulumi up`;
 * - the fields the provider relies on are required: a VM's `id`, `state` and `transitions`, a backup's
 *   `backup_date`, a files listing's `files`; an answer without them is "unexpected response";
 * - every other documented field is optional and typed when present, nullable where an absent value
 *   is plausible (`lan_ip` of a VM without a private network);
 * - `state` is a plain string: an unlisted state reaches states.ts (treated as transitional) instead
 *   of failing the parse;
 * - dates (`created`, `updated`, `backup_date`) stay strings; `backup_date` is checked with the
 *   nanosecond pattern of dates.ts.
 */

const optionalString = z.string().nullable().optional();

/** Disk / Volume: undescribed in the vendor documentation; `id` is the `volume_id` the volume paths take. */
export const diskSchema = z.looseObject({
  id: z.number().int().optional(),
  name: optionalString,
  size: z.number().nullable().optional(),
});

/** A task in `transitions` ("current and scheduled tasks over the VM"): undescribed in the vendor documentation, so any value. */
export const taskSchema = z.unknown();

export const vmSchema = z.looseObject({
  id: z.number().int(),
  /** e.g. `vm_5ba4bca0` */
  uid: optionalString,
  name: optionalString,
  master_server: optionalString,
  tariff: optionalString,
  main_ip: optionalString,
  lan_ip: optionalString,
  is_protected: z.boolean().nullable().optional(),
  volumes: z.array(diskSchema).nullable().optional(),
  image: z.unknown().optional(),
  finance: z.unknown().optional(),
  disk: diskSchema.nullable().optional(),
  bandwidth: z.number().nullable().optional(),
  /** See states.ts for every documented value. */
  state: z.string(),
  created: optionalString,
  updated: optionalString,
  backup_settings: z.array(z.unknown()).nullable().optional(),
  hostname: optionalString,
  support_access: z.boolean().nullable().optional(),
  ips: z.array(z.unknown()).nullable().optional(),
  is_managed: z.boolean().nullable().optional(),
  /** Current and scheduled tasks; a non-empty list means the VM has pending work. */
  transitions: z.array(taskSchema),
});
export type Vm = z.infer<typeof vmSchema>;

/** `GET /cloud/backups/` and `GET /cloud/backups/vms/`: `count` and a list of VMs. */
export const vmListResponse = z.looseObject({
  count: z.number().int(),
  entities: z.array(vmSchema),
});
export type VmList = z.infer<typeof vmListResponse>;

/** The vendor documentation's resource types of a backup: the VM, its main disk, an additional disk. */
export const BACKUP_RESOURCE_TYPES = { VM: "virtual machine", Disk: "main disk", Volume: "additional disk (volume)" } as const;

export const backupEntrySchema = z.looseObject({
  /** "List of possible restore methods"; its keys are undescribed. */
  methods: z.record(z.string(), z.unknown()).nullable().optional(),
  backup_date: backupDateSchema,
  resource_name: optionalString,
  /** VM, Disk or Volume in the vendor documentation; kept a string so another value does not fail the parse. */
  resource_type: optionalString,
  virtual_size: z.number().nullable().optional(),
});
export type BackupEntry = z.infer<typeof backupEntrySchema>;

/** `GET /cloud/vms/{id}/backups/` and the volume listing: `entities` (no `count` documented). */
export const backupListResponse = z.looseObject({
  count: z.number().int().optional(),
  entities: z.array(backupEntrySchema),
});
export type BackupList = z.infer<typeof backupListResponse>;

/** `GET .../backups/{date}/files/`. */
export const filesListResponse = z.looseObject({
  files: z.array(z.string()),
});
export type FilesList = z.infer<typeof filesListResponse>;

/** The error body the simulator sends and the provider reads when present (Django REST framework's `detail`). */
export const errorBodySchema = z.looseObject({
  detail: z.string().optional(),
  message: z.string().optional(),
  error: z.string().optional(),
  errors: z.unknown().optional(),
  code: z.union([z.string(), z.number()]).optional(),
});

/** Django REST framework's validation error: each rejected field with its messages. */
export const fieldErrorsSchema = z.record(z.string(), z.array(z.string()));
