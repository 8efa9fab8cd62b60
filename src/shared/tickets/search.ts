/**
 * How a ticket search query is matched (工单全文检索), shared so the server builds its SQL and
 * the console explains the behaviour from one definition.
 *
 * The query is split on whitespace into terms; a ticket matches when every term matches its
 * title, content or location (or the whole query is a prefix of the citizen's name, for users
 * who may see names). A term matches:
 * - 1–2 characters: as a substring. No trigram index can answer this (a trigram needs 3
 *   characters), so such terms are checked row by row — fine within other filters or a
 *   selective second term, slow alone over millions of tickets (bench `tickets` measures it).
 * - 3 or more characters: fuzzily — at least half of the term's trigrams (3-character
 *   windows) occur in the text. A verbatim occurrence always qualifies; so do rewordings
 *   such as 夜间噪音大 → 夜间噪音很大 or 路口路灯不亮 → 路口路灯连续三晚不亮. Each trigram
 *   is a substring test the pg_trgm GIN index answers.
 */

export const MAX_SEARCH_TERMS = 6;
export const MAX_TERM_CHARS = 30;
/** A term's trigrams beyond this are not asked for (bounds the SQL; long terms stay selective). */
export const MAX_TERM_TRIGRAMS = 12;

export interface SearchTerm {
  text: string;
  /** Distinct 3-character windows, empty for 1–2 character terms. */
  trigrams: string[];
  /** How many trigrams must occur (at least half); 0 means "substring". */
  required: number;
}

/** Lower-cased like ILIKE sees it; characters counted as code points (汉字 are one each). */
export function searchTerms(query: string): SearchTerm[] {
  const words = query.trim().toLowerCase().split(/[\s\u3000]+/u).filter(Boolean);
  const seen = new Set<string>();
  const terms: SearchTerm[] = [];
  for (const w of words) {
    const chars = [...w].slice(0, MAX_TERM_CHARS);
    const text = chars.join('');
    if (seen.has(text)) continue;
    seen.add(text);
    if (chars.length < 3) {
      terms.push({ text, trigrams: [], required: 0 });
    } else {
      const all = [...new Set(chars.slice(0, -2).map((_, i) => chars.slice(i, i + 3).join('')))];
      const trigrams = all.length <= MAX_TERM_TRIGRAMS ? all : spread(all, MAX_TERM_TRIGRAMS);
      terms.push({ text, trigrams, required: Math.ceil(trigrams.length / 2) });
    }
    if (terms.length === MAX_SEARCH_TERMS) break;
  }
  return terms;
}

/** n items spread evenly over the list (first and last kept), so a long term is sampled across its length. */
function spread<T>(items: T[], n: number): T[] {
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]!);
}

/** Whether a text matches the query by the rules above (the server does the same in SQL). */
export function matchesSearch(text: string, query: string): boolean {
  const hay = text.toLowerCase();
  return searchTerms(query).every((t) =>
    t.required === 0 ? hay.includes(t.text) : t.trigrams.filter((g) => hay.includes(g)).length >= t.required);
}

/** Escapes LIKE wildcards so a user's % or _ is matched literally (default escape character \). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}
