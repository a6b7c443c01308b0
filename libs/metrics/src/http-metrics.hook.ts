import type { FastifyInstance } from 'fastify';
import type { BoundHistogram, Observer } from './bound-histogram';
import type { HttpLabel } from './metrics';

/** The route label of a request no route matched (a 404, a probe of random paths): never its URL. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Methods kept as they are; anything else a client invents is `OTHER`. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/**
 * One observation per finished request, labelled with the route's template (`/task-status/:task_id`,
 * never the URL), the method and the status. Series are bound the first time a (route, method,
 * status) is seen and found again by two Map lookups on the route template and a number, so the
 * work per request is those lookups and BoundHistogram's bucket search.
 */
export function registerHttpMetrics(fastify: FastifyInstance, histogram: BoundHistogram<HttpLabel>): void {
  const byRoute = new Map<string, Map<number, Observer>>();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    let methodIndex = METHODS.indexOf(request.method);
    if (methodIndex === -1) methodIndex = METHODS.length;
    const key = reply.statusCode * 8 + methodIndex;
    let byKey = byRoute.get(route);
    if (!byKey) byRoute.set(route, (byKey = new Map()));
    let series = byKey.get(key);
    if (!series) {
      series = histogram.bind({ method: METHODS[methodIndex] ?? 'OTHER', route, status: String(reply.statusCode) });
      byKey.set(key, series);
    }
    series.observe(reply.elapsedTime / 1000);
    done();
  });
}
