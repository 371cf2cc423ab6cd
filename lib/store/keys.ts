/**
 * Key layout. Every key that a multi-key Lua script touches together carries
 * the same hash tag, so the same scripts run on Redis Cluster:
 *   {c:<campaignId>}  everything of one campaign (queue, in-flight, counters, history)
 *   {l:<listId>}      one contact list (contacts, indexes, import jobs)
 *   {g}               deployment-wide sets (global DNC, agents, registries)
 *   {t:<trunk>}       one trunk's shared limits (calls per second, channels held)
 *   {d:<incarnation>} one dialer process's dialog journal and its lease
 * The configured prefix (default `dialer:`) is applied by ioredis `keyPrefix`.
 */
export const keys = {
  campaign: (id: string, part: string) => `c:{c:${id}}:${part}`,
  list: (id: string, part: string) => `l:{l:${id}}:${part}`,
  global: (part: string) => `g:{g}:${part}`,
  trunk: (name: string, part: string) => `t:{t:${name}}:${part}`,
  dialogs: (incarnation: string, part: string) => `d:{d:${incarnation}}:${part}`,
};

/** Hash tag of a campaign, for keys built in Lua from a prefix. */
export const campaignTag = (id: string) => `{c:${id}}`;
