import { normalizeType } from "./syntax.js";

/** A function type being built one parameter at a time. */
export interface SignatureNode {
  id: number;
  next: Map<string, SignatureNode> | null;
}

/**
 * Interns function types (return type, then each parameter type, `...` for varargs) as numbers,
 * walking a tree one type at a time: a call's type is known without building a string for it,
 * and two types are equal exactly when their numbers are.
 */
export class Signatures {
  private readonly roots = new Map<string, SignatureNode>();
  private count = 0;

  start(returnType: string): SignatureNode {
    const key = normalizeType(returnType);
    let node = this.roots.get(key);
    if (node === undefined) {
      node = { id: -1, next: null };
      this.roots.set(key, node);
    }
    return node;
  }

  step(node: SignatureNode, type: string): SignatureNode {
    const key = normalizeType(type);
    const next = (node.next ??= new Map());
    let child = next.get(key);
    if (child === undefined) {
      child = { id: -1, next: null };
      next.set(key, child);
    }
    return child;
  }

  id(node: SignatureNode): number {
    if (node.id < 0) node.id = this.count++;
    return node.id;
  }

  /** The number of a whole function type. */
  of(returnType: string, paramTypes: readonly string[], isVarArg: boolean): number {
    let node = this.start(returnType);
    for (const t of paramTypes) node = this.step(node, t);
    if (isVarArg) node = this.step(node, "...");
    return this.id(node);
  }
}
