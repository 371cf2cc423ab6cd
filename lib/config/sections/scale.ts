/** Several dialer processes sharing one Redis (lib/scale). */
import { Type, type Static } from '@sinclair/typebox';

export const scaleSchema = Type.Object(
  {
    /** Hold trunk and campaign calls-per-second and channel limits in Redis, shared by every process. */
    sharedLimits: Type.Boolean({ default: true }),
    /** Added to the one-second calls-per-second window, so send jitter cannot push a carrier's count over. */
    cpsGuardMs: Type.Integer({ minimum: 0, maximum: 1000, default: 100 }),
    /** Spread running campaigns over the live dialer processes (registry heartbeat + rendezvous hashing). */
    spread: Type.Boolean({ default: true }),
    /** Heartbeat interval of this process in the registry. */
    beatMs: Type.Integer({ minimum: 100, default: 1000 }),
    /** A process that has not beaten for this long is dead: its campaigns get other owners. */
    memberTtlMs: Type.Integer({ minimum: 500, default: 3000 }),
    /** Calls this process can carry, its weight in the spread; 0 = the embedded driver's maxLegs. */
    capacity: Type.Integer({ minimum: 0, default: 0 }),
    /** Reserve only agents whose phone leg this process holds (their desk logged them in here). */
    localAgents: Type.Boolean({ default: true }),
  },
  {
    additionalProperties: false,
    default: {},
  },
);

/** Redis topology keys added to the `redis` section (one of: url, cluster, sentinels). */
export const redisTopologyProperties = {
  /** Redis Cluster seed nodes, "host:port" each; non-empty selects the cluster client. */
  cluster: Type.Array(Type.String({ pattern: '^[^\\s:]+:\\d{1,5}$' }), { default: [] }),
  /** Sentinel addresses, "host:port" each; non-empty selects Sentinel with `masterName`. */
  sentinels: Type.Array(Type.String({ pattern: '^[^\\s:]+:\\d{1,5}$' }), { default: [] }),
  /** The master group the sentinels watch. */
  masterName: Type.String({ default: 'mymaster' }),
  /** Password of the Redis servers (cluster, sentinel-managed or url without one); empty = none. */
  password: Type.String({ default: '' }),
} as const;

export type ScaleConfig = Static<typeof scaleSchema>;
export type RedisTopologyConfig = Static<ReturnType<typeof Type.Object<typeof redisTopologyProperties>>>;
