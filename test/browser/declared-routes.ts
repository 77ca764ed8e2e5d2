import 'reflect-metadata';
import { RequestMethod, type Type } from '@nestjs/common';

// Nest's own metadata keys (PATH_METADATA, METHOD_METADATA, MODULE_METADATA in @nestjs/common/constants,
// which is not part of its public entry): what @Controller, @Get/@Post and @Module record.
const PATH = 'path';
const METHOD = 'method';
const CONTROLLERS = 'controllers';
const IMPORTS = 'imports';

/**
 * The routes (`GET admin/whoami`) a Nest module and the modules it imports declare, read from their
 * decorators without starting anything: enough to decide, when tests are collected, whether a feature the
 * tests need has landed.
 */
export function declaredRoutes(module: Type<unknown>): Set<string> {
  const routes = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (candidate: unknown) => {
    const moduleClass = (candidate as { module?: Type<unknown> })?.module ?? candidate;
    if (typeof moduleClass !== 'function' || seen.has(moduleClass)) return;
    seen.add(moduleClass);
    for (const controller of (Reflect.getMetadata(CONTROLLERS, moduleClass) ?? []) as Array<Type<unknown>>) {
      const base = [Reflect.getMetadata(PATH, controller) as string | string[]].flat()[0] ?? '';
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler: unknown = controller.prototype[name];
        if (typeof handler !== 'function' || !Reflect.hasMetadata(METHOD, handler)) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD, handler) as RequestMethod];
        for (const path of [Reflect.getMetadata(PATH, handler) as string | string[]].flat()) {
          routes.add(
            `${method} ${[base, path]
              .map((part) => part.replace(/^\/+|\/+$/g, ''))
              .filter(Boolean)
              .join('/')}`,
          );
        }
      }
    }
    for (const imported of (Reflect.getMetadata(IMPORTS, moduleClass) ?? []) as unknown[]) visit(imported);
  };
  visit(module);
  return routes;
}
