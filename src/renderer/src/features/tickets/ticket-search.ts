/**
 * The ticket list's one search box: a ticket number, a phone number or keywords, told apart
 * here so the agent need not pick a field. DOM-free.
 */
import type { TicketListQuery } from '../../../../shared/api/tickets.js';
import { normalizePhone } from '../../../../shared/tickets/contact.js';

export function searchQueryOf(input: string): Pick<TicketListQuery, 'ticketNo' | 'phone' | 'q'> {
  const s = input.trim();
  if (!s) return {};
  // 12345-20250101-00001, or a prefix of one (12345-2025…).
  if (/^12345-\d[\d-]*$/.test(s) || /^[A-Z]+-[\w-]+$/.test(s)) return { ticketNo: s };
  if (/^[+\d][\d\s()-]{5,}$/.test(s) && normalizePhone(s)) return { phone: s };
  return { q: s.slice(0, 100) };
}
