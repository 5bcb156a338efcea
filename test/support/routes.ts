import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { API_KEYS_ALLOWED, IS_PUBLIC, Role, ROLES_KEY } from '@app/common';
import { UNPREFIXED_PATHS } from '../../src/bootstrap/create-api-app';
import type { TestApp } from '../harness/app';

export interface RouteInfo {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Full path with `:param` placeholders, e.g. /api/merchant/api-keys/:id */
  path: string;
  isPublic: boolean;
  /** Roles from @Auth(); empty means any authenticated caller. */
  roles: Role[];
  apiKeysAllowed: boolean;
  handler: string;
}

const METHODS: Partial<Record<RequestMethod, RouteInfo['method']>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

const join = (...parts: string[]) => parts.map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');

/**
 * Every route the running app registered, read from Nest's own metadata, so routes that later
 * modules add are walked without anyone listing them.
 */
export function registeredRoutes(t: TestApp, exclude: Type[] = []): RouteInfo[] {
  const reflector = new Reflector();
  const routes: RouteInfo[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || exclude.includes(controller)) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? ''].flat()[0] as string;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const methodEnum = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (methodEnum === undefined) continue;
        const method = METHODS[methodEnum];
        if (!method) throw new Error(`Route ${controller.name}.${name} uses an HTTP method the walk does not know`);
        const sub = [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat()[0] as string;
        const joined = join(base, sub);
        const targets = [handler, controller];
        routes.push({
          method,
          path: UNPREFIXED_PATHS.includes(joined) ? `/${joined}` : `/${join('api', joined)}`,
          isPublic: reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) ?? false,
          roles: reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? [],
          apiKeysAllowed: reflector.getAllAndOverride<boolean>(API_KEYS_ALLOWED, targets) ?? false,
          handler: `${controller.name}.${name}`,
        });
      }
    }
  }
  return routes;
}

export const routeName = (r: Pick<RouteInfo, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** Replaces every `:param` with a value; unknown params get a random UUID (an id nobody owns). */
export function fillPath(path: string, values: Record<string, string> = {}): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => encodeURIComponent(values[name] ?? '00000000-0000-4000-8000-000000000000'));
}
