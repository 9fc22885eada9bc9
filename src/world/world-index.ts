import type { Chain, Entity, Fact, Relation, SlotType, Template, TemplateForm, TemplateSplit, World } from './types';

/** Edited facts layered over the world: `subject|relation` → new object. */
export type FactOverlay = ReadonlyMap<string, string>;

export function factKey(subject: string, relation: string): string {
  return `${subject}|${relation}`;
}

export function slotAccepts(slot: SlotType, entity: Entity): boolean {
  return slot === 'organisation' ? entity.type === 'company' || entity.type === 'university' : entity.type === slot;
}

/** Lookups over a world, including its dataset-only (novel) entities and facts. */
export class WorldIndex {
  private readonly entities = new Map<string, Entity>();
  private readonly relations = new Map<string, Relation>();
  private readonly chains = new Map<string, Chain>();
  private readonly objects = new Map<string, string>();
  private readonly factsByRelation = new Map<string, Fact[]>();
  private readonly novelIds: Set<string>;
  private readonly heldOut: Set<string>;

  constructor(readonly world: World) {
    for (const e of [...world.entities, ...world.novel.entities]) this.entities.set(e.id, e);
    for (const r of world.relations) this.relations.set(r.id, r);
    for (const c of world.chains) this.chains.set(c.id, c);
    for (const f of [...world.facts, ...world.novel.facts]) this.objects.set(factKey(f.subject, f.relation), f.object);
    for (const f of world.facts) {
      const list = this.factsByRelation.get(f.relation) ?? [];
      list.push(f);
      this.factsByRelation.set(f.relation, list);
    }
    this.novelIds = new Set(world.novel.entities.map((e) => e.id));
    this.heldOut = new Set(world.twoHopHeldOut);
  }

  entity(id: string): Entity {
    const e = this.entities.get(id);
    if (!e) throw new Error(`unknown entity ${id}`);
    return e;
  }

  relation(id: string): Relation {
    const r = this.relations.get(id);
    if (!r) throw new Error(`unknown relation ${id}`);
    return r;
  }

  chain(id: string): Chain {
    const c = this.chains.get(id);
    if (!c) throw new Error(`unknown chain ${id}`);
    return c;
  }

  isNovel(id: string): boolean {
    return this.novelIds.has(id);
  }

  isTwoHopHeldOut(id: string): boolean {
    return this.heldOut.has(id);
  }

  /** The object of (subject, relation), reading edits in `overlay` first. */
  object(subject: string, relation: string, overlay?: FactOverlay): string | undefined {
    const key = factKey(subject, relation);
    return overlay?.get(key) ?? this.objects.get(key);
  }

  /** The surface form of an object: an entity's name, or a literal as it is. */
  objectText(relation: string, object: string): string {
    return this.relation(relation).objectType === 'literal' ? object : this.entity(object).name;
  }

  /** The entity name, or the literal itself for literal objects. */
  name(id: string): string {
    return this.entity(id).name;
  }

  /** The corpus facts of a relation (dataset-only facts are reached through `object`). */
  factsOf(relation: string): Fact[] {
    return this.factsByRelation.get(relation) ?? [];
  }

  /** The world's (not novel) entities that fill a slot, in world order. */
  entitiesOf(slot: SlotType): Entity[] {
    return this.world.entities.filter((e) => slotAccepts(slot, e));
  }

  /** Every entity along the path subject → r1 → r2 …; undefined where a hop has no fact. */
  follow(subject: string, relations: readonly string[], overlay?: FactOverlay): string[] | undefined {
    const path = [subject];
    for (const r of relations) {
      const next = this.object(path[path.length - 1], r, overlay);
      if (next === undefined) return undefined;
      path.push(next);
    }
    return path;
  }

  templates(owner: Relation | Chain, form: TemplateForm, split?: TemplateSplit): Template[] {
    return owner.templates.filter((t) => t.form === form && (split === undefined || t.split === split));
  }

  relationsOf(kind: Relation['kind']): Relation[] {
    return this.world.relations.filter((r) => r.kind === kind);
  }
}
