import { z } from 'zod';
import { sha256Json } from '../store/sha256.ts';

/** Special tokens: padding, unknown word, start and end of the response, and the image slot in the prompt. */
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;
export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;

/** A leading-space marker: a token carries whether a space preceded it, so decoding restores the text exactly. */
const SPACE = '\u2581';
// Tags are single tokens; words keep inner hyphens and apostrophes; any other character is its own token.
const PIECE = /<\/?thinking>|<\/?final diagnosis>|[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*|\S/g;

export const TokenizerFileSchema = z.object({
  format: z.literal('skinr1-word-tokenizer@1'),
  tokens: z.array(z.string()).min(SPECIAL_TOKENS.length),
});
export type TokenizerFile = z.infer<typeof TokenizerFileSchema>;

/** Splits text into pieces, each marked with the space before it. */
export function pieces(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PIECE)) {
    const spaced = m.index > 0 && /\s/.test(text[m.index - 1]!);
    out.push(spaced ? SPACE + m[0] : m[0]);
  }
  return out;
}

/**
 * A word-level tokenizer over a fixed vocabulary built from a corpus (the knowledge base, the hierarchy, the prompts
 * and the trajectories). Words outside it map to `<unk>`. Versioned by the digest of its token list.
 */
export class Tokenizer {
  private readonly ids = new Map<string, number>();

  constructor(readonly file: TokenizerFile) {
    TokenizerFileSchema.parse(file);
    file.tokens.forEach((t, i) => {
      if (this.ids.has(t)) throw new Error(`tokenizer: duplicate token "${t}"`);
      this.ids.set(t, i);
    });
    SPECIAL_TOKENS.forEach((t, i) => {
      if (file.tokens[i] !== t) throw new Error(`tokenizer: token ${i} must be ${t}`);
    });
  }

  /** Every distinct piece of the corpus, most frequent first (ties by text), after the special tokens. */
  static build(corpus: Iterable<string>, maxVocab = Infinity): Tokenizer {
    const counts = new Map<string, number>();
    for (const text of corpus) for (const p of pieces(text)) counts.set(p, (counts.get(p) ?? 0) + 1);
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([t]) => t);
    return new Tokenizer({ format: 'skinr1-word-tokenizer@1', tokens: [...SPECIAL_TOKENS, ...ranked.slice(0, maxVocab - SPECIAL_TOKENS.length)] });
  }

  get size(): number {
    return this.file.tokens.length;
  }

  get digest(): string {
    return sha256Json(this.file);
  }

  encode(text: string): number[] {
    return pieces(text).map((p) => this.ids.get(p) ?? this.ids.get(p.startsWith(SPACE) ? p.slice(1) : SPACE + p) ?? UNK);
  }

  /** Text from ids; special tokens are dropped (and decoding stops at `<eos>`). */
  decode(ids: Iterable<number>): string {
    let out = '';
    for (const id of ids) {
      if (id === EOS) break;
      if (id < SPECIAL_TOKENS.length) continue;
      const t = this.file.tokens[id] ?? '';
      out += t.startsWith(SPACE) ? ` ${t.slice(1)}` : t;
    }
    return out;
  }

  id(token: string): number {
    return this.ids.get(token) ?? UNK;
  }
}
