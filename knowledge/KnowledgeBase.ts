import path from 'node:path';
import { projectRoot } from '../devserver/projectRoot.ts';
import { ValidationError } from '../errors/ValidationError.ts';
import type { Hierarchy } from '../hierarchy/Hierarchy.ts';
import { normalizeTerm } from '../hierarchy/Hierarchy.ts';
import { KnowledgeBaseSchema, type DdxStatement, type DiseaseEntry, type Feature, type KnowledgeBaseData, type KnowledgeIssue } from '../schemas/knowledge.ts';
import { sha256Json } from '../store/sha256.ts';
import { importMarkdown } from './importMarkdown.ts';
import { mentionIndex, type Mention } from './mentionIndex.ts';
import type { PhraseIndex } from './PhraseIndex.ts';

export const defaultKnowledgeDir = path.join(projectRoot, 'knowledge', 'chapters');

/**
 * The validated knowledge base with the lookups distillation needs: entries by node, features by id, the undirected
 * DDx graph, dataset concepts to features, and one phrase index over features and hierarchy names that the importer's
 * checks and the trajectory verifier share.
 */
export class KnowledgeBase {
  private readonly entries = new Map<string, DiseaseEntry>();
  private readonly featureById = new Map<string, Feature>();
  private readonly graph = new Map<string, Map<string, DdxStatement[]>>();
  private readonly byConcept = new Map<string, string[]>();
  private readonly byConceptKey = new Map<string, string[]>();
  private readonly featureSets = new Map<string, Set<string>>();
  readonly mentions: PhraseIndex<Mention>;
  /** sha256 of the canonical knowledge content (not file positions): the knowledge base's version. */
  readonly digest: string;

  constructor(
    readonly data: KnowledgeBaseData,
    readonly hierarchy: Hierarchy,
  ) {
    for (const f of data.features) {
      this.featureById.set(f.id, f);
      for (const c of f.concepts) {
        const key = normalizeTerm(c);
        this.byConcept.set(key, [...(this.byConcept.get(key) ?? []), f.id]);
        const k = conceptKey(c);
        if (!this.byConceptKey.get(k)?.includes(f.id)) this.byConceptKey.set(k, [...(this.byConceptKey.get(k) ?? []), f.id]);
      }
    }
    for (const e of data.diseases) {
      this.entries.set(e.node, e);
      this.featureSets.set(e.node, new Set([...Object.values(e.morphology).flat(), ...e.dermoscopy, ...e.clinical]));
    }
    for (const s of data.ddx) {
      for (const [a, b] of [[s.from, s.to], [s.to, s.from]] as const) {
        const m = this.graph.get(a) ?? new Map<string, DdxStatement[]>();
        m.set(b, [...(m.get(b) ?? []), s]);
        this.graph.set(a, m);
      }
    }
    this.mentions = mentionIndex(hierarchy, data.features, data.diseases);
    this.digest = sha256Json(contentOf(data));
  }

  /** Imports and validates a Markdown knowledge folder; throws a ValidationError listing every error with file:line. */
  static load(dir: string, hierarchy: Hierarchy): { kb: KnowledgeBase; issues: KnowledgeIssue[] } {
    const { data, issues } = importMarkdown(dir, hierarchy);
    const errors = issues.filter((i) => i.severity === 'error');
    if (errors.length > 0) {
      throw new ValidationError(`knowledge base ${dir} has ${errors.length} error(s):\n${errors.map((i) => `  ${i.file}:${i.line}: ${i.message}`).join('\n')}`);
    }
    return { kb: new KnowledgeBase(KnowledgeBaseSchema.parse(data), hierarchy), issues };
  }

  /** From the JSON form stored in a knowledge-base artifact. */
  static fromData(json: unknown, hierarchy: Hierarchy): KnowledgeBase {
    const data = KnowledgeBaseSchema.parse(json);
    if (data.hierarchyDigest !== hierarchy.digest) {
      throw new ValidationError(`the knowledge base was validated against hierarchy ${data.hierarchyVersion} (${data.hierarchyDigest.slice(0, 12)}), not the loaded ${hierarchy.version} (${hierarchy.digest.slice(0, 12)})`);
    }
    return new KnowledgeBase(data, hierarchy);
  }

  has(node: string): boolean {
    return this.entries.has(node);
  }

  entry(node: string): DiseaseEntry {
    const e = this.entries.get(node);
    if (!e) throw new ValidationError(`the knowledge base has no entry for "${node}"`);
    return e;
  }

  diseases(): DiseaseEntry[] {
    return this.data.diseases;
  }

  feature(id: string): Feature {
    const f = this.featureById.get(id);
    if (!f) throw new ValidationError(`unknown feature "${id}"`);
    return f;
  }

  /** Every feature the entry for `node` names (morphology, dermoscopy, clinical signs). */
  featuresOf(node: string): ReadonlySet<string> {
    return this.featureSets.get(node) ?? new Set();
  }

  /** DDx neighbours that have entries, sorted for determinism. */
  neighbours(node: string): string[] {
    return [...(this.graph.get(node)?.keys() ?? [])].sort();
  }

  /** The statements that contrast two diseases, in either direction. */
  contrast(a: string, b: string): DdxStatement[] {
    return this.graph.get(a)?.get(b) ?? [];
  }

  /** Features a dataset annotation value means ("pigment_network:atypical", "Scale"), matched case- and punctuation-blind. */
  conceptFeatures(concept: string): string[] {
    return this.byConcept.get(normalizeTerm(concept)) ?? [];
  }

  /** Features any value of a concept key means (all pigment network features for the key "pigment_network"). */
  conceptKeyFeatures(key: string): string[] {
    return this.byConceptKey.get(key) ?? [];
  }

  /** Which of `required` have an entry with rules and at least one DDx neighbour. */
  coverage(required: string[]): { required: number; complete: number; missingEntry: string[]; missingDdx: string[] } {
    const missingEntry = required.filter((n) => !this.has(n));
    const missingDdx = required.filter((n) => this.has(n) && this.neighbours(n).length === 0);
    return { required: required.length, complete: required.length - missingEntry.length - missingDdx.length, missingEntry, missingDdx };
  }
}

/** A concept's key: the criterion of a "criterion:value" concept (Derm7pt), else the concept itself (SkinCon). */
export function conceptKey(concept: string): string {
  const i = concept.indexOf(':');
  return normalizeTerm(i >= 0 ? concept.slice(0, i) : concept);
}

/** The knowledge content without file names and line numbers: moving text around does not change the version. */
export function contentOf(d: KnowledgeBaseData): unknown {
  return {
    formatVersion: d.formatVersion,
    hierarchyDigest: d.hierarchyDigest,
    features: d.features.map(({ source: _s, ...f }) => f),
    diseases: d.diseases.map(({ source: _s, ...e }) => e),
    ddx: d.ddx.map(({ source: _s, ...s }) => s),
  };
}
