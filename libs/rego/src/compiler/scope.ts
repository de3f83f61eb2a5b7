/**
 * Lexical scopes of variables during compilation. Every rule evaluation (or query) gets one
 * frame of slots; nested bodies (comprehensions, `every`) declare their own slots in it.
 */

export class FrameBuilder {
  private count = 0;
  readonly names: string[] = [];

  alloc(name: string): number {
    this.names.push(name);
    return this.count++;
  }

  get size(): number {
    return this.count;
  }
}

export class Scope {
  private readonly names = new Map<string, number>();
  /** Slots declared in this scope, named or wildcard: the ones its body must bind. */
  readonly own = new Set<number>();
  /** A function's argument scope: its names cannot be reassigned with `:=`. */
  isArgs = false;
  /** Literal index of each name's `some` or `:=` declaration in this scope's body. */
  readonly explicitAt = new Map<string, number>();
  /** Index of the body literal being resolved; past the end while resolving the head. */
  current = Number.POSITIVE_INFINITY;

  constructor(
    readonly frame: FrameBuilder,
    readonly parent: Scope | undefined,
  ) {}

  /**
   * The slot a name refers to from here. A nested body (comprehension) does not see an
   * enclosing body's `some`/`:=` declaration written after the literal it sits in: there the
   * name is still a fresh local of the nested body, as in OPA.
   */
  lookup(name: string): number | undefined {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) {
      const slot = s.names.get(name);
      if (slot === undefined) continue;
      if (s !== this && (s.explicitAt.get(name) ?? -1) > s.current) continue;
      return slot;
    }
    return undefined;
  }

  /** Whether the name is a function argument visible from here. */
  isArgument(name: string): boolean {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) {
      if (s.names.has(name)) return s.isArgs;
    }
    return false;
  }

  hasOwn(name: string): boolean {
    return this.names.has(name);
  }

  declare(name: string): number {
    const slot = this.frame.alloc(name);
    this.names.set(name, slot);
    this.own.add(slot);
    return slot;
  }

  wildcard(): number {
    const slot = this.frame.alloc('_');
    this.own.add(slot);
    return slot;
  }
}
