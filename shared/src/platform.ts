import { z } from 'zod';

/**
 * What the supervisor console may ask of the computer it runs on (design §2). Electron implements
 * it in the preload (native save dialog, `safeStorage`, system notifications); a browser
 * implementation lets the same console run at `/console` and be tested in Chromium.
 */
export interface Platform {
  /** `desktop` inside Electron, `browser` otherwise. */
  readonly kind: 'desktop' | 'browser';
  /** The console's version. */
  appVersion(): Promise<string>;
  /** Saves a generated file (a report) where the user chooses; `cancelled` when they do not. */
  saveFile(request: SaveFileRequest): Promise<SaveFileResult>;
  /** Secrets (the refresh token) kept across restarts only where the OS can encrypt them. */
  secrets: SecretStore;
  /** A system notification (watchtower alerts); resolves false when none could be shown. */
  notify(notification: PlatformNotification): Promise<boolean>;
}

export interface SecretStore {
  /** False when secrets would be kept in plain text (then nothing is persisted). */
  canPersist(): Promise<boolean>;
  get(key: SecretKey): Promise<string | null>;
  set(key: SecretKey, value: string): Promise<void>;
  delete(key: SecretKey): Promise<void>;
}

/** Report files the console writes. */
export const SAVE_FILE_KINDS = { xlsx: 'Excel workbook', csv: 'CSV file' } as const;
export type SaveFileKind = keyof typeof SAVE_FILE_KINDS;

/** The largest file the console hands to the save dialog (a 1M-row workbook is ~60 MB). */
export const MAX_SAVE_FILE_BYTES = 512 * 1024 * 1024;

export const saveFileRequestSchema = z
  .strictObject({
    /** A bare file name: no folders, no control characters; its extension must match `kind`. */
    suggestedName: z
      .string()
      .min(1, 'required')
      .max(200)
      .regex(/^[^/\\:*?"<>|\p{Cc}]+$/u, 'a file name without folders or reserved characters')
      .refine((name) => !name.startsWith('.'), 'must not start with a dot'),
    kind: z.enum(Object.keys(SAVE_FILE_KINDS) as [SaveFileKind, ...SaveFileKind[]]),
    bytes: z
      .instanceof(Uint8Array)
      .refine((b) => b.byteLength <= MAX_SAVE_FILE_BYTES, 'file too large'),
  })
  .refine((r) => r.suggestedName.toLowerCase().endsWith(`.${r.kind}`), {
    message: 'the file name must end with the extension of its kind',
    path: ['suggestedName'],
  });
export type SaveFileRequest = z.infer<typeof saveFileRequestSchema>;

export type SaveFileResult = { saved: true; path: string | null } | { saved: false };

/** The only secrets the console keeps. */
export const SECRET_KEYS = ['refresh_token'] as const;
export const secretKeySchema = z.enum(SECRET_KEYS);
export type SecretKey = z.infer<typeof secretKeySchema>;
export const secretValueSchema = z.string().min(1).max(8192);

export const platformNotificationSchema = z.strictObject({
  title: z.string().trim().min(1).max(120),
  body: z.string().max(500).default(''),
});
export type PlatformNotification = z.input<typeof platformNotificationSchema>;

export const secretWriteSchema = z.strictObject({ key: secretKeySchema, value: secretValueSchema });

/** IPC calls that carry nothing must carry nothing. */
export const noPayloadSchema = z.undefined();
