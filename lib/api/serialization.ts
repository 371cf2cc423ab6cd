/**
 * Response serializers (fast-json-stringify, Fastify's own compiler) built on
 * a route's first answer with that status, not at start: building them for
 * every route was the larger part of `dialer serve`'s time to /health (README,
 * "The `dialer` command"). The serializer is the same; only when it is built
 * changes. test/integration/api/fuzz.test.ts answers every operation, so a
 * response schema fast-json-stringify refuses still fails a test.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Factory = ReturnType<typeof SerializerSelector>;
type RouteDefinition = Parameters<ReturnType<Factory>>[0];

const eager = SerializerSelector();

/** Fastify's `schemaController.compilersFactory.buildSerializer`. */
export function buildSerializer(externalSchemas?: unknown, options?: Parameters<Factory>[1]) {
  const compile = eager(externalSchemas, options);
  return (route: RouteDefinition) => {
    let serialize: ((doc: unknown) => string) | undefined;
    return (doc: unknown): string => (serialize ??= compile(route))(doc);
  };
}
