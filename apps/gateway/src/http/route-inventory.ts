import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';

export interface MountedRoute {
  method: string;
  /** Fastify's pattern, e.g. `/v1/models/:id`. */
  url: string;
}

/**
 * Every route the server answers, however it was mounted (Nest controllers, the `/v1` pipeline, Fastify's
 * automatic HEAD routes), as Fastify registers them. It tells a wrong method from a wrong path when a request
 * matches nothing, and lets the route-access test walk every route.
 */
@Injectable()
export class RouteInventory {
  private readonly mounted: MountedRoute[] = [];

  /** Starts recording; call before any route is added. */
  watch(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) this.mounted.push({ method, url: route.url });
    });
  }

  get routes(): readonly MountedRoute[] {
    return this.mounted;
  }

  /** The methods some route accepts for `path`; empty when no route matches it at all. */
  methodsFor(path: string): string[] {
    return [...new Set(this.mounted.filter((route) => matches(route.url, path)).map((route) => route.method))];
  }
}

function matches(pattern: string, path: string): boolean {
  const patternParts = pattern.split('/');
  const pathParts = path.split('/');
  return (
    patternParts.length === pathParts.length &&
    patternParts.every((part, i) => (part.startsWith(':') ? pathParts[i] !== '' : part === pathParts[i]))
  );
}
