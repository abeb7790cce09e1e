// Types shared by the console's modules (checked by `npm run typecheck`, never served).

export type Role = 'operator' | 'cs_rep' | 'dept_manager' | 'vice_gm' | 'gm' | 'admin';
export type Lang = 'zh' | 'en';

export interface Staff {
  id: string;
  role: Role;
  name: string;
}

export interface Session {
  token: string;
  /** ms since the epoch */
  issuedAt: number;
  expiresAt: number;
  staff: Staff;
}

/** A message catalogue fragment: each page brings its own keys in both languages. */
export interface Messages {
  zh: Record<string, string>;
  en: Record<string, string>;
}

export interface PageContext {
  session: Session;
  /** Named parts of the route, e.g. `id` in `/cases/:id`. */
  params: Record<string, string>;
  /** The query part of the hash (`#/cases?status=new` → status=new). */
  query: URLSearchParams;
  /** Goes to another console route (`/cases/…`), adding a history entry. */
  navigate: (path: string) => void;
  /** Sets the document title (`<page> · 客服`). */
  setTitle: (title: string) => void;
}

export interface Page {
  /** Route pattern: `/cases/:id`. */
  path: string;
  /** i18n key of the nav entry; omitted = not in the nav (detail pages). */
  nav?: string;
  /** Roles that see the nav entry (the API decides what each may actually do). Omitted = everyone. */
  roles?: Role[];
  messages: Messages;
  render: (main: HTMLElement, ctx: PageContext) => Promise<void> | void;
}
