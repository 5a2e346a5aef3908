import type { RlOption } from '../schemas/rl.ts';

/**
 * The RL question in our words after the method's RL prompt (type 4): the options by letter, reasoning in
 * <thinking>, then the single most specific fitting option and the lesion's bucket in <final diagnosis>.
 */
export function mcPrompt(options: Array<Pick<RlOption, 'letter' | 'text'>>): string {
  return (
    `Examine the skin image and answer: what type of abnormality does it show? ${options.map((o) => `${o.letter}: ${o.text}`).join(' ')}. ` +
    'Inside <thinking> describe the visible features that support the answer. Inside <final diagnosis> give only the single most likely option; ' +
    'when several fit, choose the most specific one. Then, in brackets, say whether the lesion is benign, precancerous in situ or malignant.'
  );
}

/** Text with every word of the RL prompt, letters included, for the tokenizer's corpus (built before RL sees one). */
export const mcPromptCorpus = mcPrompt(['A', 'B', 'C', 'D'].map((letter) => ({ letter, text: '' })));
