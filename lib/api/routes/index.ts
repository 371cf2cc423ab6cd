import type { FastifyPluginAsync } from 'fastify';

/**
 * Every route plugin, one per resource, each with its JSON Schemas beside it.
 * Add a resource by adding its plugin here.
 */
export const routes: FastifyPluginAsync[] = [];
