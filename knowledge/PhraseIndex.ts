import { normalizeTerm } from '../hierarchy/Hierarchy.ts';

/** One phrase found in a text: what it names and where (token positions). */
export interface PhraseMatch<T> {
  value: T;
  phrase: string;
  start: number;
  end: number;
}

/** Lower-case word tokens with simple plural folding, so "papules" finds "papule" and "patches" finds "patch". */
export function phraseTokens(text: string): string[] {
  const norm = normalizeTerm(text);
  return norm === '' ? [] : norm.split(' ').map(foldPlural);
}

function foldPlural(t: string): string {
  if (t.length <= 3) return t;
  if (/(ch|sh|x)es$/.test(t)) return t.slice(0, -2);
  if (t.endsWith('s') && !/(ss|us|is)$/.test(t)) return t.slice(0, -1);
  return t;
}

/**
 * Finds known phrases in free text by longest match over word tokens. Used by the importer (which features a rule
 * names) and by the verifier (which features and diseases a trajectory names), so both read text the same way.
 */
export class PhraseIndex<T> {
  private readonly byFirst = new Map<string, Array<{ tokens: string[]; phrase: string; values: T[] }>>();

  add(phrase: string, value: T): void {
    const tokens = phraseTokens(phrase);
    if (tokens.length === 0) return;
    const list = this.byFirst.get(tokens[0]!) ?? [];
    const key = tokens.join(' ');
    const existing = list.find((e) => e.tokens.join(' ') === key);
    if (existing) {
      if (!existing.values.includes(value)) existing.values.push(value);
    } else {
      list.push({ tokens, phrase, values: [value] });
      list.sort((a, b) => b.tokens.length - a.tokens.length);
    }
    this.byFirst.set(tokens[0]!, list);
  }

  /** Every value whose phrase is exactly this text (after normalisation). */
  exact(text: string): T[] {
    const tokens = phraseTokens(text);
    const key = tokens.join(' ');
    return this.byFirst.get(tokens[0] ?? '')?.find((e) => e.tokens.join(' ') === key)?.values ?? [];
  }

  /** Longest non-overlapping matches, left to right. */
  scan(text: string): Array<PhraseMatch<T>> {
    const tokens = phraseTokens(text);
    const out: Array<PhraseMatch<T>> = [];
    for (let i = 0; i < tokens.length; ) {
      const hit = this.byFirst.get(tokens[i]!)?.find((e) => e.tokens.every((t, k) => tokens[i + k] === t));
      if (!hit) {
        i++;
        continue;
      }
      for (const value of hit.values) out.push({ value, phrase: hit.phrase, start: i, end: i + hit.tokens.length });
      i += hit.tokens.length;
    }
    return out;
  }
}
