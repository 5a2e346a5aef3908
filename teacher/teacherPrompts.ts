import type { ChatMessage } from '../schemas/teacher.ts';

/**
 * Prompts for the optional LLM teacher, after the Skin-R1 method: the teacher only rewords knowledge we already hold
 * (a rule, a differential) and answers inside a tag, so a chatty or truncated answer is detected and the deterministic
 * text is used instead.
 */

const SYSTEM = 'You are a dermatologist and your output is strictly in accordance with the requirements.';

/** Bumped whenever a prompt's wording changes: teacher texts differ, so trajectory sets must too. */
export const TEACHER_PROMPTS_VERSION = 'teacher-prompts@1';

export const RULE_TAG = 'rule';
export const DDX_TAG = 'differential diagnosis reasoning';

export function rephraseRulePrompt(diseaseName: string, rule: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content: [
        `Rewrite this diagnostic rule for ${diseaseName} as one concise declarative sentence about visible signs only.`,
        'Requirements:',
        '- Keep every clinical feature the rule names.',
        '- Add nothing that is not in the rule.',
        '- No histology, no microscopy, no treatment.',
        `- Output only the sentence, inside ${open(RULE_TAG)}...${close(RULE_TAG)}.`,
        '',
        `Rule: ${rule}`,
      ].join('\n'),
    },
  ];
}

/** A worked example, so the model sees the length and the tone we want (specific features, no filler). */
const DDX_EXAMPLE = {
  keptName: 'Seborrheic keratosis',
  keptRule: 'A well-demarcated, stuck-on, waxy papule or plaque with a verrucous surface, milia-like cysts and comedo-like openings.',
  otherName: 'Solar lentigo',
  otherRule: 'A flat, uniformly tan to brown macule with sharp, often moth-eaten borders on sun-exposed skin.',
  present: ['stuck-on appearance', 'milia-like cysts', 'comedo-like openings'],
  absent: ['flat macule', 'uniform tan colour'],
  answer:
    'Seborrheic keratosis is favoured over solar lentigo: the lesion is raised with a stuck-on, waxy surface and shows ' +
    'milia-like cysts and comedo-like openings, while the flat, uniformly tan macule of a solar lentigo is absent.',
};

export function ddxComparisonPrompt(
  keptName: string,
  keptRule: string,
  otherName: string,
  otherRule: string,
  present: string[],
  absent: string[],
): ChatMessage[] {
  const { answer, ...example } = DDX_EXAMPLE;
  return [
    { role: 'system', content: SYSTEM },
    {
      role: 'user',
      content: ddxRequest(example.keptName, example.keptRule, example.otherName, example.otherRule, example.present, example.absent),
    },
    { role: 'assistant', content: `${open(DDX_TAG)}${answer}${close(DDX_TAG)}` },
    { role: 'user', content: ddxRequest(keptName, keptRule, otherName, otherRule, present, absent) },
  ];
}

function ddxRequest(keptName: string, keptRule: string, otherName: string, otherRule: string, present: string[], absent: string[]): string {
  const lines = [
    `Explain in two sentences at most why this lesion is ${keptName} rather than ${otherName}.`,
    `${keptName}: ${keptRule}`,
    `${otherName}: ${otherRule}`,
  ];
  if (present.length > 0) lines.push(`Features of ${keptName} present in the image: ${present.join(', ')}.`);
  if (absent.length > 0) lines.push(`Features of ${otherName} absent from the image: ${absent.join(', ')}.`);
  lines.push(
    'Requirements:',
    `- Base the comparison ONLY on visible clinical features: name which features of ${keptName} are present and which features of ${otherName} are absent.`,
    '- No generic statements (such as "clinical correlation is needed"), no histology, nothing not stated above.',
    `- Output only the comparison, inside ${open(DDX_TAG)}...${close(DDX_TAG)}.`,
  );
  return lines.join('\n');
}

/** The trimmed text inside the first `<tag>...</tag>` (tag matched case-insensitively), or null when absent or empty. */
export function parseTagged(text: string, tag: string): string | null {
  const lower = text.toLowerCase();
  const start = lower.indexOf(open(tag).toLowerCase());
  if (start < 0) return null;
  const from = start + open(tag).length;
  const end = lower.indexOf(close(tag).toLowerCase(), from);
  if (end < 0) return null;
  const inner = text.slice(from, end).trim();
  return inner === '' ? null : inner;
}

function open(tag: string): string {
  return `<${tag}>`;
}

function close(tag: string): string {
  return `</${tag}>`;
}
