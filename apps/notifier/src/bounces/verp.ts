/** Matching keys our own outgoing mail carries, as a delivery report gives them back. */
const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** The notification id a VERP return path carries: `<local>+<notificationUuid>@<domain>`. */
export function verpNotificationId(address: string): string | null {
  const m = new RegExp(`^[^@+]+\\+${UUID.source}@`, 'i').exec(address);
  return m ? m[1]!.toLowerCase() : null;
}

export function uuidOf(value: string | null): string | null {
  if (!value) return null;
  const m = new RegExp(`^${UUID.source}$`, 'i').exec(value.trim());
  return m ? m[1]!.toLowerCase() : null;
}
