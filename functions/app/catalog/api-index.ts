/** `GET /v1/`: where to start, for a person who has a key and nothing else: the routes and where the docs are. */
import { API_STAGE, ROUTES } from '#contract/routes.ts';
import type { Principal } from '#core/visibility.ts';

export function apiIndex(principal: Principal) {
  return {
    name: 'Change and maintenance management API',
    openapi: `/${API_STAGE}/openapi.json`,
    docs: 'docs/api.md in the repository: every route, its refusals and worked examples',
    you: {
      role: principal.role,
      ...(principal.role === 'partner' ? { partnerId: principal.partnerId } : {}),
    },
    routes: ROUTES.map((route) => ({
      method: route.method,
      path: `/${API_STAGE}${route.path === '/' ? '/' : route.path}`,
      summary: route.summary,
      forYou: (route.roles as readonly string[]).includes(principal.role),
    })),
  };
}
