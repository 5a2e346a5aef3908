import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { normalizeTerm, type Hierarchy } from '../hierarchy/Hierarchy.ts';
import {
  FeatureKindSchema,
  morphologyAspects,
  type DdxStatement,
  type DiseaseEntry,
  type Feature,
  type FeatureKind,
  type KnowledgeBaseData,
  type KnowledgeIssue,
  type Morphology,
  type SourceRef,
} from '../schemas/knowledge.ts';
import { sha256Hex } from '../store/sha256.ts';
import { featureMentions, mentionIndex, type Mention } from './mentionIndex.ts';
import { PhraseIndex } from './PhraseIndex.ts';

export interface ImportResult {
  data: KnowledgeBaseData;
  issues: KnowledgeIssue[];
}

type Section = 'morphology' | 'dermoscopy' | 'clinical' | 'rules' | 'ddx';
const sectionNames: Record<string, Section> = {
  morphology: 'morphology',
  dermoscopy: 'dermoscopy',
  'clinical signs': 'clinical',
  clinical: 'clinical',
  rules: 'rules',
  'diagnostic rules': 'rules',
  'differential diagnosis': 'ddx',
};
const aspectNames: Record<string, keyof Morphology> = { lesion: 'lesion', 'primary lesion': 'lesion', colour: 'colour', color: 'colour', border: 'border', surface: 'surface', distribution: 'distribution', site: 'site' };

interface PendingDdx {
  from: string;
  target: string;
  text: string;
  source: SourceRef;
}

/** A feature id from its phrase: the snake_case of its words. */
export function featureId(phrase: string): string {
  return normalizeTerm(phrase).replace(/ /g, '_');
}

/**
 * Reads a knowledge base written as Markdown (every `*.md` under `dir` except README.md, in name order) into its
 * validated form. `# Features` chapters hold the feature vocabulary as tables under `## <kind>` headings; every other
 * `# <chapter>` holds one `## <disease>` per hierarchy node with `### Morphology`, `### Dermoscopy`, `### Clinical
 * signs`, `### Rules` and `### Differential diagnosis` sections. Problems are collected with file and line, not thrown,
 * so one run reports all of them.
 */
export function importMarkdown(dir: string, hierarchy: Hierarchy): ImportResult {
  const issues: KnowledgeIssue[] = [];
  const err = (source: SourceRef, message: string) => issues.push({ severity: 'error', file: source.file, line: source.line, message });
  const warn = (source: SourceRef, message: string) => issues.push({ severity: 'warning', file: source.file, line: source.line, message });
  const files = listMarkdown(dir);
  if (files.length === 0) issues.push({ severity: 'error', file: dir, line: 0, message: 'no Markdown files (*.md) in the knowledge folder' });

  const features: Feature[] = [];
  const featureByPhrase = new PhraseIndex<string>();
  const entries: DiseaseEntry[] = [];
  const pending: PendingDdx[] = [];
  const fileDigests: Array<{ path: string; sha256: string }> = [];
  // Feature references are resolved after every file is read, so chapters may use features defined later.
  const deferred: Array<() => void> = [];

  for (const rel of files) {
    const text = readFileSync(path.join(dir, rel));
    fileDigests.push({ path: rel, sha256: sha256Hex(text) });
    const lines = text.toString('utf8').split(/\r?\n/);
    let chapter: string | null = null;
    let featureKind: FeatureKind | null = null;
    let entry: DiseaseEntry | null = null;
    let section: Section | null = null;
    // After a heading that failed to resolve, its content is skipped (its one error is enough).
    let skipping: 2 | 3 | null = null;

    let inComment = false;
    lines.forEach((raw, i) => {
      const src: SourceRef = { file: rel, line: i + 1 };
      // HTML comments (one line or several) are notes for people, never knowledge.
      let line = raw.trimEnd();
      if (inComment) {
        const end = line.indexOf('-->');
        if (end < 0) return;
        inComment = false;
        line = line.slice(end + 3);
      }
      line = line.replace(/<!--.*?-->/g, '');
      const open = line.indexOf('<!--');
      if (open >= 0) {
        inComment = true;
        line = line.slice(0, open);
      }
      if (line.trim() === '') return;
      const h = /^(#{1,3})\s+(.+?)\s*$/.exec(line);
      if (h) {
        const level = h[1]!.length;
        const title = h[2]!;
        if (skipping !== null && level <= skipping) skipping = null;
        if (skipping !== null) return;
        if (level === 1) {
          chapter = title;
          entry = null;
          section = null;
          featureKind = null;
        } else if (level === 2) {
          section = null;
          entry = null;
          featureKind = null;
          if (chapter === null) return err(src, `"## ${title}" comes before any "# chapter" heading`);
          if (chapter.toLowerCase() === 'features') {
            const k = FeatureKindSchema.safeParse(title.toLowerCase() === 'color' ? 'colour' : title.toLowerCase());
            if (!k.success) skipping = 2;
            if (!k.success) return err(src, `unknown feature kind "${title}"; expected one of ${FeatureKindSchema.options.join(', ')}`);
            featureKind = k.data;
            return;
          }
          const node = hierarchy.lookup(title);
          if (!node) {
            skipping = 2;
            return err(src, `"${title}" is not a node, name or synonym of the disease hierarchy ${hierarchy.version}`);
          }
          const dup = entries.find((e) => e.node === node);
          if (dup) skipping = 2;
          if (dup) return err(src, `"${title}" (${node}) is already described at ${dup.source.file}:${dup.source.line}`);
          const n = hierarchy.node(node);
          entry = {
            node,
            name: n.name,
            synonyms: [...n.synonyms],
            bucket: hierarchy.bucket(node)!,
            chapter,
            morphology: { lesion: [], colour: [], border: [], surface: [], distribution: [], site: [] },
            dermoscopy: [],
            clinical: [],
            rules: [],
            source: src,
          };
          entries.push(entry);
        } else {
          if (!entry) return err(src, `"### ${title}" is outside a disease entry`);
          const s = sectionNames[title.toLowerCase()];
          if (!s) skipping = 3;
          if (!s) return err(src, `unknown section "${title}"; expected one of Morphology, Dermoscopy, Clinical signs, Rules, Differential diagnosis`);
          section = s;
        }
        return;
      }

      if (skipping !== null) return;
      if (featureKind) {
        if (!line.trimStart().startsWith('|')) return err(src, 'expected a table row "| feature | also called | dataset concepts |"');
        const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
        if (cells.every((c) => /^:?-+:?$/.test(c)) || cells[0]!.toLowerCase() === 'feature') return;
        const phrase = cells[0]!;
        const id = featureId(phrase);
        if (!id) return err(src, 'a feature row needs a phrase in its first cell');
        const clash = features.find((f) => f.id === id);
        if (clash) return err(src, `feature "${phrase}" is already defined at ${clash.source.file}:${clash.source.line}`);
        const list = (c: string | undefined) => (c ?? '').split(';').map((x) => x.trim()).filter(Boolean);
        const f: Feature = { id, phrase, kind: featureKind, aliases: list(cells[1]), concepts: list(cells[2]), source: src };
        for (const term of [f.phrase, ...f.aliases]) {
          const other = featureByPhrase.exact(term).find((x) => x !== id);
          if (other) err(src, `"${term}" already names feature "${other}"`);
          featureByPhrase.add(term, id);
        }
        features.push(f);
        return;
      }

      if (!entry || !section) {
        if (entry && /^synonyms\s*:/i.test(line)) {
          const e: DiseaseEntry = entry;
          for (const s of line.replace(/^synonyms\s*:/i, '').split(';').map((x) => x.trim()).filter(Boolean)) {
            const other = hierarchy.lookup(s);
            if (other && other !== e.node) err(src, `synonym "${s}" already names hierarchy node "${other}"`);
            else if (!e.synonyms.includes(s)) e.synonyms.push(s);
          }
        }
        return; // prose outside sections is commentary for human readers
      }
      const bullet = /^\s*[-*]\s+(.+)$/.exec(line);
      if (!bullet) return err(src, `expected a "- " bullet in the ${section} section of ${entry.name}`);
      const body = bullet[1]!.trim();
      const e: DiseaseEntry = entry;
      // Trajectories wrap this text in <thinking> tags: a '<' inside would break every one of them.
      if ((section === 'rules' || section === 'ddx') && body.includes('<')) return err(src, 'knowledge text must not contain "<"');
      const resolveList = (target: string[], phrases: string) =>
        deferred.push(() => {
          for (const p of phrases.split(',').map((x) => x.trim()).filter(Boolean)) {
            const ids = featureByPhrase.exact(p);
            if (ids.length === 0) err(src, `unknown feature "${p}" in ${e.name}; define it in a "# Features" table`);
            else if (!target.includes(ids[0]!)) target.push(ids[0]!);
          }
        });
      switch (section) {
        case 'morphology': {
          const m = /^([A-Za-z ]+):\s*(.+)$/.exec(body);
          const aspect = m ? aspectNames[m[1]!.trim().toLowerCase()] : undefined;
          if (!m || !aspect) return err(src, `expected "- <aspect>: <features>" with aspect one of ${morphologyAspects.join(', ')}`);
          resolveList(e.morphology[aspect], m[2]!);
          return;
        }
        case 'dermoscopy':
          return resolveList(e.dermoscopy, body);
        case 'clinical':
          return resolveList(e.clinical, body);
        case 'rules':
          e.rules.push(body);
          deferred.push(() => checkMentions(body, e, null, src));
          return;
        case 'ddx': {
          const m = /^([^:]+):\s*(.+)$/.exec(body);
          if (!m) return err(src, 'expected "- <disease>: <what tells them apart>"');
          pending.push({ from: e.node, target: m[1]!.trim(), text: m[2]!.trim(), source: src });
          return;
        }
      }
    });
  }

  const featuresOf = (e: DiseaseEntry) => new Set([...Object.values(e.morphology).flat(), ...e.dermoscopy, ...e.clinical]);
  let mentions: PhraseIndex<Mention> | null = null;
  function checkMentions(text: string, a: DiseaseEntry, b: DiseaseEntry | null, src: SourceRef): string[] {
    const allowed = featuresOf(a);
    if (b) for (const f of featuresOf(b)) allowed.add(f);
      const found = featureMentions(mentions!, text);
    if (found.length === 0) err(src, `"${text.length > 60 ? `${text.slice(0, 60)}...` : text}" names no feature of the vocabulary; a rule must point at something visible`);
    for (const f of found) if (!allowed.has(f)) err(src, `mentions "${features.find((x) => x.id === f)?.phrase}", which is not among the features of ${b ? `${a.name} or ${b.name}` : a.name}`);
    return found;
  }

  mentions = mentionIndex(hierarchy, features, entries);
  for (const d of deferred) d();
  for (const e of entries) {
    if (e.rules.length === 0) err(e.source, `${e.name} has no rules`);
    if (featuresOf(e).size === 0) err(e.source, `${e.name} lists no features`);
  }

  const ddx: DdxStatement[] = [];
  for (const p of pending) {
    const to = hierarchy.lookup(p.target);
    if (!to) {
      err(p.source, `differential "${p.target}" is not a node, name or synonym of the hierarchy`);
      continue;
    }
    if (to === p.from) {
      err(p.source, 'a disease cannot be its own differential');
      continue;
    }
    const a = entries.find((e) => e.node === p.from)!;
    const b = entries.find((e) => e.node === to);
    if (!b) {
      warn(p.source, `differential "${p.target}" (${to}) has no entry in the knowledge base yet; the edge is left out`);
      continue;
    }
    const found = checkMentions(p.text, a, b, p.source);
    if (found.length > 0) ddx.push({ from: p.from, to, text: p.text, features: found, source: p.source });
  }

  const data: KnowledgeBaseData = {
    formatVersion: 1,
    hierarchyVersion: hierarchy.version,
    hierarchyDigest: hierarchy.digest,
    files: fileDigests,
    features,
    diseases: entries,
    ddx,
  };
  issues.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { data, issues };
}

function listMarkdown(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(path.join(dir, prefix), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...listMarkdown(dir, rel));
    else if (d.name.endsWith('.md') && d.name.toLowerCase() !== 'readme.md') out.push(rel);
  }
  return out;
}
