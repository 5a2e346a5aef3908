import { z } from 'zod';

/**
 * An optional LLM teacher: any OpenAI-compatible chat completions endpoint. The API key is read from the environment
 * variable named by `apiKeyEnv` and is never part of the config, so configs can be hashed, logged and stored.
 */
export const TeacherConfigSchema = z.object({
  /** Base URL such as http://host:port/v1; requests go to `${url}/chat/completions`. */
  url: z
    .url({ protocol: /^https?$/ })
    // Credentials belong in the environment: a URL is logged, stored in workflow history and hashed into ids.
    .refine((u) => { const p = new URL(u); return p.username === '' && p.password === '' && p.search === ''; }, 'the teacher URL must not carry credentials or a query string (put the key in the environment variable named by apiKeyEnv)'),
  model: z.string().min(1),
  apiKeyEnv: z.string().min(1).default('SKINR1_TEACHER_API_KEY'),
  temperature: z.number().min(0).max(2).default(0.2),
  maxTokens: z.number().int().positive().default(120),
  timeoutMs: z.number().int().positive().default(30_000),
  /** Retries after the first attempt, so up to maxRetries + 1 requests per completion. */
  maxRetries: z.number().int().min(0).default(4),
  requestsPerMinute: z.number().positive().default(60),
  /** Where responses are cached on disk; the in-memory cache is always on. */
  cacheDir: z.string().min(1).optional(),
});
export type TeacherConfig = z.output<typeof TeacherConfigSchema>;
export type TeacherConfigInput = z.input<typeof TeacherConfigSchema>;

export const ChatMessageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

/** The part of a chat completions response the teacher reads; anything else the server sends is ignored. */
export const ChatCompletionResponseSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1),
});

/** OpenAI-style error body: `{ "error": { "message": "..." } }`. */
export const ChatErrorBodySchema = z.object({ error: z.object({ message: z.string() }) });

/** What a disk cache file holds: the request it answers (for humans reading the cache) and the answer. */
export const TeacherCacheEntrySchema = z.object({
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  model: z.string(),
  messages: z.array(ChatMessageSchema),
  text: z.string(),
});
export type TeacherCacheEntry = z.infer<typeof TeacherCacheEntrySchema>;
