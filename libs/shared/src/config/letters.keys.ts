import { z } from 'zod';

/** EMS letters (letterhead, font) and the bounce mailbox our mail comes back to. */
export const letterKeys = {
  /** Letterhead of EMS letters (notifier): company name, postal address, hotline; the manifest's sender too. */
  LETTER_COMPANY_NAME: z.string().min(1).max(100).default('客户服务部'),
  LETTER_COMPANY_ADDRESS: z.string().max(200).default(''),
  LETTER_COMPANY_HOTLINE: z.string().max(40).default(''),
  /** A TrueType/OpenType (or .ttc) font with Chinese glyphs for letter PDFs (Debian: fonts-wqy-microhei). */
  LETTER_FONT_PATH: z.string().min(1).default('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc'),
  /** Inside a .ttc collection: the PostScript name of the face to use. */
  LETTER_FONT_FAMILY: z.string().min(1).default('WenQuanYiMicroHei'),
  /** The bounce mailbox (our mail's return path), read by intake and handed to the notifier as reports; unset = off. */
  BOUNCE_MAILBOX_URL: z
    .string()
    .regex(/^imaps?:\/\/[^@]+@[^/]+/, 'must be imap://user:password@host:port or imaps://…')
    .optional(),
  /** Name of the bounce mailbox in intake records (source `imap-bounce:<name>`). */
  BOUNCE_MAILBOX_NAME: z
    .string()
    .regex(/^[a-z0-9_-]{1,50}$/)
    .default('bounces'),
  BOUNCE_MAILBOX_FOLDER: z.string().min(1).default('INBOX'),
  /** Where a report goes once it is stored and processed. */
  BOUNCE_MAILBOX_PROCESSED_FOLDER: z.string().min(1).default('Processed'),
  /** Full resync of the bounce mailbox besides IDLE (intake polls it like the customer-service mailbox). */
  BOUNCE_MAILBOX_POLL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
};
