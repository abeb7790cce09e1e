import type { Request } from 'express';

/** The address the per-IP limits count (Express's `req.ip`: the socket, or X-Forwarded-For where `trust proxy` is set). */
export const clientIp = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
