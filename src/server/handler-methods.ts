import { HandlerMethodNameError } from './errors.js';

/** A `do<METHOD>` name: the request method it answers is a token in capitals, as every standard one is. */
const METHOD_NAME = /^do([A-Z][A-Z0-9_-]*)$/;
/** Python's spelling (`do_GET`), never called here: dispatch looks for `do` + the method. */
const PYTHON_NAME = /^do_([A-Za-z][A-Za-z0-9_-]*)$/;
/** The standard methods (RFC 9110 §9, RFC 5789), spelled as Java servlets and camelCase habits do. */
const CAMEL_NAMES = new Set(['Get', 'Head', 'Post', 'Put', 'Delete', 'Connect', 'Options', 'Trace', 'Patch']);

/** What a handler class implements, found once per class. */
interface MethodInfo {
  /** The methods with a `do<METHOD>`, in the order of the `Allow` field: GET and HEAD first, then A–Z. */
  readonly methods: readonly string[];
}

const infos = new WeakMap<object, MethodInfo>();

/**
 * The request methods a handler class answers (its `do<METHOD>` functions, inherited ones included), for
 * `Allow` on 405s and CORS preflights. Found once per class and kept, so answering costs no lookup walk.
 */
export function implementedMethods(prototype: object): readonly string[] {
  let info = infos.get(prototype);
  if (info === undefined) {
    const methods = methodNames(prototype)
      .map((name) => METHOD_NAME.exec(name)?.[1])
      .filter((method): method is string => method !== undefined);
    info = { methods: Object.freeze(methods.sort(allowOrder)) };
    infos.set(prototype, info);
  }
  return info.methods;
}

/**
 * Throws HandlerMethodNameError for a method that looks meant to answer requests but is never called: a
 * Python spelling (`do_GET`) or a camelCase one (`doGet`). The message names the method to write instead.
 */
export function checkMethodNames(prototype: object, className: string): void {
  const wrong: string[] = [];
  for (const name of methodNames(prototype)) {
    const python = PYTHON_NAME.exec(name)?.[1];
    const camel = /^do([A-Z][a-z]+)$/.exec(name)?.[1];
    const meant = python ?? (camel !== undefined && CAMEL_NAMES.has(camel) ? camel : undefined);
    if (meant !== undefined) wrong.push(`${name}() → do${meant.toUpperCase()}()`);
  }
  if (wrong.length > 0)
    throw new HandlerMethodNameError(
      `${className} has ${wrong.length === 1 ? 'a method' : 'methods'} no request calls: rename ${wrong.join(', ')}` +
        ' (basehttp dispatches to `do` + the request method, as in doGET)',
    );
}

/**
 * The names of the functions on the prototype chain below Object.prototype, once each, the nearest
 * definition deciding. Read from descriptors: a getter (`rfile`) must not run on a prototype.
 */
function methodNames(prototype: object): string[] {
  const seen = new Set<string>();
  const functions: string[] = [];
  for (
    let p: object | null = prototype;
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const [name, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(p))) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (typeof descriptor.value === 'function' && name !== 'constructor') functions.push(name);
    }
  }
  return functions;
}

/** GET, HEAD first (what every resource answers), the rest alphabetically. */
function allowOrder(a: string, b: string): number {
  const rank = (m: string): number => (m === 'GET' ? 0 : m === 'HEAD' ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
