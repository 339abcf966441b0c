// Placeholder until the message reader lands (branch notif-parse).
import type { ParsedMessage } from './event.ts';

export function isNotification(value: unknown): boolean {
  return value !== null && typeof value === 'object' && ('event_type' in value || 'oslo.message' in value);
}

export function parseMessage(_value: unknown): ParsedMessage {
  return { kind: 'reject', reason: 'not read yet' };
}
